import type { EntityMetadata } from 'typeorm';
import { naturalKeyField } from '../capture/entity-config';
import { readKey, encodeKey, keyOfRawRow, keyValueToString, type EncodedKey } from '../core/entity-key';
import { MultipleNaturalKeyMatchesError } from '../core/errors';
import type { EngineContext } from './engine-context';
import type { EntityMapping, ForeignKeyPlan } from './entity-mapping';
import { lookupIdMap, pairId } from './id-map-store';
import { foreignKeyOf, keyTuples, type RawRow } from './row-reader';
import { chunksOf, queryRows, tupleCondition, tuplesPerCondition, type SideSql } from './sync-sql';
import { foreignKeyParts, hydrate, persistedValue } from './value-converter';
import type { WorkItem, WorkSet } from './work-set';

/**
 * @internal Finds the remote counterpart of every item of one entity, in the contract's order: the id
 * map (only rows that still exist remotely), then the natural key, then the same primary key when
 * the remote does not generate it; else the row is new. FK targets must be resolved first.
 */
export async function resolveCounterparts(
  ctx: EngineContext,
  work: WorkSet,
  mapping: EntityMapping,
): Promise<void> {
  const items = work.of(mapping).filter((i) => i.row !== undefined || i.mode === 'sync');
  if (items.length === 0) return;
  const keys = items.map((i) => i.key);
  const { candidates, onRemote } = await lookupIdMap(ctx.sides, mapping.name, keys);
  const sameKey = mapping.generatedKey === undefined;
  const derived = new Map(items.map((i) => [i, sameKey ? derivedRemoteKey(work, i) : undefined]));
  const probe = items.flatMap((i) => [...(candidates.get(i.key) ?? []), ...[derived.get(i) ?? []].flat()]);
  const existing = await existingRemoteKeys(ctx, mapping, probe);
  for (const item of items) {
    const listed = candidates.get(item.key) ?? [];
    const found = listed.find((k) => existing.has(k));
    item.stale = found === undefined && listed.length > 0;
    if (found === undefined) {
      item.gone = [...listed];
      continue;
    }
    const mapped = onRemote.has(pairId(item.key, found));
    Object.assign(item, { remoteKey: found, exists: true, via: 'id-map', mapped });
  }
  await matchNaturalKeys(
    ctx,
    work,
    mapping,
    items.filter((i) => i.remoteKey === undefined && i.row !== undefined),
  );
  for (const item of items.filter((i) => i.remoteKey === undefined && sameKey)) {
    const remoteKey = derived.get(item);
    // A key made of references to rows the remote does not have yet: known once they are written.
    if (remoteKey === undefined) Object.assign(item, { via: 'same-key', pendingKey: true });
    else Object.assign(item, { remoteKey, exists: existing.has(remoteKey), via: 'same-key' });
    if (remoteKey !== undefined && !item.exists && !item.gone.includes(remoteKey)) item.gone.push(remoteKey);
  }
}

/**
 * @internal The remote key of a row whose key the remote does not generate: the local key, with
 * primary columns that are foreign keys (explicit junction entities) translated to the referenced
 * rows' remote keys; `undefined` while such a referenced row has no remote key yet.
 */
export function derivedRemoteKey(work: WorkSet, item: WorkItem): EncodedKey | undefined {
  const local = readKey(item.key);
  const record: Record<string, string> = {};
  for (const key of item.mapping.keys) {
    const path = key.local.propertyPath;
    const fk = item.mapping.foreignKeys.find((f) => f.columns.some((c) => c.local === key.local));
    if (fk === undefined || item.row === undefined) {
      record[path] = local[path] ?? '';
      continue;
    }
    const targetKey = foreignKeyOf(fk, item.row);
    const target = targetKey === undefined ? undefined : work.get(fk.target, targetKey);
    const column = fk.columns.find((c) => c.local === key.local);
    if (target?.remoteKey === undefined || column === undefined) return undefined;
    record[path] = readKey(target.remoteKey)[column.targetPath] ?? '';
  }
  return encodeKey(record);
}

/** @internal Which of `keys` exist in the remote table (keys are encoded with the same property paths). */
export function existingRemoteKeys(
  ctx: EngineContext,
  mapping: EntityMapping,
  keys: readonly EncodedKey[],
): Promise<Set<EncodedKey>> {
  return existingKeys(ctx.remote, mapping.remote, keys);
}

/** @internal Which of `keys` exist in the table of `metadata` on `side`. */
export async function existingKeys(
  side: SideSql,
  metadata: EntityMetadata,
  keys: readonly EncodedKey[],
): Promise<Set<EncodedKey>> {
  const out = new Set<EncodedKey>();
  const columns = metadata.primaryColumns;
  const escaped = columns.map((c) => side.e(c.databaseName));
  const select = columns.map(
    (c) =>
      `${side.dialect.readColumnSql(side.e(c.databaseName), String(c.type))} AS ${side.e(c.databaseName)}`,
  );
  for (const part of chunksOf([...new Set(keys)], tuplesPerCondition(side, escaped.length))) {
    const where = tupleCondition(side, escaped, keyTuples(columns, part));
    const sql = `SELECT ${select.join(', ')} FROM ${side.t(metadata.tablePath)} WHERE ${where.sql}`;
    for (const row of await queryRows<RawRow>(side, sql, where.params)) out.add(keyOfRawRow(metadata, row));
  }
  return out;
}

interface NaturalProbe {
  item: WorkItem;
  values: unknown[];
  /** Normalised values, to match returned rows to probes. */
  signature: string;
}

async function matchNaturalKeys(
  ctx: EngineContext,
  work: WorkSet,
  mapping: EntityMapping,
  items: WorkItem[],
) {
  const fields = mapping.config?.naturalKey?.fields;
  if (fields === undefined || items.length === 0) return;
  const probes = items
    .map((item) => naturalProbe(ctx, work, mapping, fields, item))
    .filter((p): p is NaturalProbe => p !== undefined);
  const columns = naturalColumns(mapping, fields);
  for (const part of chunksOf(probes, tuplesPerCondition(ctx.remote, columns.length))) {
    await matchChunk(ctx, mapping, columns, part);
  }
}

/** @internal The remote columns that hold a natural key's fields (FK fields expand to their join columns). */
export function naturalColumns(mapping: EntityMapping, fields: readonly string[]) {
  return fields.flatMap((field) => {
    const fk = naturalKeyRelation(mapping, field);
    if (fk === 'unmapped') return [];
    if (fk !== undefined) return fk.columns.map((c) => c.remote);
    return mapping.columns.filter((c) => c.local.propertyName === field).map((c) => c.remote);
  });
}

/**
 * @internal The foreign key behind a natural-key field that is a relation (`'unmapped'` when the
 * mapping has none for it), or `undefined` for a plain column field.
 */
export function naturalKeyRelation(
  mapping: EntityMapping,
  field: string,
): ForeignKeyPlan | 'unmapped' | undefined {
  const found = naturalKeyField(mapping.local, field);
  if (found === undefined || !('relation' in found)) return undefined;
  return mapping.foreignKeys.find((f) => f.relation === found.relation) ?? 'unmapped';
}

function naturalProbe(
  ctx: EngineContext,
  work: WorkSet,
  mapping: EntityMapping,
  fields: readonly string[],
  item: WorkItem,
): NaturalProbe | undefined {
  const row = item.row as RawRow;
  const values: unknown[] = [];
  for (const field of fields) {
    const fk = naturalKeyRelation(mapping, field);
    if (fk === 'unmapped') return undefined;
    if (fk !== undefined) {
      const targetKey = foreignKeyOf(fk, row);
      const target = targetKey === undefined ? undefined : work.get(fk.target, targetKey);
      // A target the remote does not have yet cannot be part of an existing remote row's key.
      if (target?.remoteKey === undefined || !target.exists) return undefined;
      values.push(...foreignKeyParts(fk, target.remoteKey));
    } else {
      const pair = mapping.columns.find((c) => c.local.propertyName === field);
      if (pair === undefined) return undefined;
      values.push(persistedValue(ctx.options.local, ctx.options.remote, pair, row[pair.local.databaseName]));
    }
  }
  return { item, values, signature: signatureOf(values) };
}

/** @internal A comparable form of natural-key values (strings; dates as ISO). */
export function signatureOf(values: readonly unknown[]): string {
  return JSON.stringify(
    values.map((v) => (v === null || v === undefined ? null : keyValueToString(v instanceof Date ? v : v))),
  );
}

async function matchChunk(
  ctx: EngineContext,
  mapping: EntityMapping,
  columns: ReturnType<typeof naturalColumns>,
  probes: NaturalProbe[],
): Promise<void> {
  const matches = await remoteKeysByNaturalValues(
    ctx,
    mapping,
    columns,
    probes.map((p) => p.values),
  );
  for (const probe of probes) assignMatch(mapping, probe, matches.get(probe.signature) ?? []);
}

/**
 * @internal The remote rows whose natural-key `columns` equal one of `valueRows` (database-form values,
 * one list per probe), as their primary keys in key order, by {@link signatureOf} of the values.
 */
export async function remoteKeysByNaturalValues(
  ctx: EngineContext,
  mapping: EntityMapping,
  columns: ReturnType<typeof naturalColumns>,
  valueRows: readonly (readonly unknown[])[],
): Promise<Map<string, EncodedKey[]>> {
  const side = ctx.remote;
  const escaped = columns.map((c) => side.e(c.databaseName));
  const keyColumns = mapping.remote.primaryColumns;
  const selected = [...new Map([...keyColumns, ...columns].map((c) => [c.databaseName, c])).values()];
  const select = selected.map(
    (c) =>
      `${side.dialect.readColumnSql(side.e(c.databaseName), String(c.type))} AS ${side.e(c.databaseName)}`,
  );
  const where = tupleCondition(side, escaped, valueRows);
  const order = keyColumns.map((c) => side.e(c.databaseName)).join(', ');
  const sql = `SELECT ${select.join(', ')} FROM ${side.t(mapping.remote.tablePath)} WHERE ${where.sql} ORDER BY ${order}`;
  const matches = new Map<string, EncodedKey[]>();
  for (const row of await queryRows<RawRow>(side, sql, where.params)) {
    const persisted = columns.map((c) =>
      ctx.options.remote.driver.preparePersistentValue(
        hydrate(ctx.options.remote, c, row[c.databaseName]),
        c,
      ),
    );
    const signature = signatureOf(persisted);
    const list = matches.get(signature) ?? [];
    list.push(keyOfRawRow(mapping.remote, row));
    matches.set(signature, list);
  }
  return matches;
}

function assignMatch(mapping: EntityMapping, probe: NaturalProbe, keys: EncodedKey[]): void {
  const match = singleNaturalMatch(mapping, probe.values, keys);
  if (match !== undefined) Object.assign(probe.item, { remoteKey: match, exists: true, via: 'natural-key' });
}

/**
 * @internal The remote key `values` (one per natural-key field) matched: the first of `keys`, or
 * `undefined` for none; several throw {@link MultipleNaturalKeyMatchesError} unless `allowMany`.
 */
export function singleNaturalMatch(
  mapping: EntityMapping,
  values: readonly unknown[],
  keys: readonly EncodedKey[],
): EncodedKey | undefined {
  const natural = mapping.config?.naturalKey;
  if (keys.length > 1 && natural?.allowMany !== true) {
    const named = Object.fromEntries((natural?.fields ?? []).map((f, i) => [f, values[i]]));
    throw new MultipleNaturalKeyMatchesError(mapping.name, named, keys.length);
  }
  return keys[0];
}

/** @internal Encodes remote key values of a generated primary column. */
export function generatedRemoteKey(mapping: EntityMapping, value: unknown): EncodedKey {
  const key = mapping.generatedKey;
  return encodeKey({ [key?.remote.propertyPath ?? 'id']: value });
}
