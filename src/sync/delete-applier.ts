import { naturalKeyField } from '../capture/entity-config';
import { decodeKey, type EncodedKey } from '../core/entity-key';
import { decodeTyped } from '../core/typed-json';
import { MultipleNaturalKeyMatchesError } from '../core/errors';
import { decideConflicts } from './conflict-policy';
import { existingKeys, existingRemoteKeys, naturalColumns, signatureOf } from './counterpart';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { lookupIdMap, lookupIdMapByRemote } from './id-map-store';
import { keyTuples, type RawRow } from './row-reader';
import { chunksOf, queryRows, tupleCondition, tuplesPerCondition } from './sync-sql';
import { hydrate } from './value-converter';
import type { BatchObject } from './work-set';
import { keyOfRawRow } from '../core/entity-key';

/** @internal A delete to apply: the local object and the remote row it removes. */
export interface PlannedDelete {
  readonly object: BatchObject;
  readonly remoteKey: EncodedKey | undefined;
  /** Kept because the remote changed it more recently (conflict). */
  readonly kept: boolean;
  /**
   * The object exists locally again: an earlier sync from the remote re-created it (the remote's newer
   * change won over this delete), so the delete is outdated and sends nothing.
   */
  readonly revived: boolean;
}

/**
 * @internal Finds the remote counterpart of each deleted object: the id map, else the natural key
 * stored at delete time (relation fields hold the related row's local key, mapped through the id
 * map). An object inserted and deleted within the range that the id map does not know never reached
 * the remote: nothing is looked up.
 */
export async function planDeletes(
  ctx: EngineContext,
  mapping: EntityMapping,
  objects: BatchObject[],
): Promise<PlannedDelete[]> {
  const keys = objects.map((o) => o.key);
  const { candidates } = await lookupIdMap(ctx.sides, mapping.name, keys);
  const existing = await existingRemoteKeys(ctx, mapping, [...candidates.values()].flat());
  const found = new Map<EncodedKey, EncodedKey>();
  for (const o of objects) {
    const hit = (candidates.get(o.key) ?? []).find((k) => existing.has(k));
    if (hit !== undefined) found.set(o.key, hit);
  }
  const byNatural = objects.filter((o) => !found.has(o.key) && !o.insertedInRange && o.naturalKey !== 'null');
  for (const [key, remoteKey] of await matchStoredNaturalKeys(ctx, mapping, byNatural))
    found.set(key, remoteKey);
  for (const [key, remoteKey] of await matchSameKeys(ctx, mapping, objects, found)) found.set(key, remoteKey);
  const revived = await revivedLocally(ctx, mapping, found);
  const kept = await decideConflicts(
    ctx,
    mapping,
    objects.flatMap((o) => {
      const remoteKey = found.get(o.key);
      return remoteKey === undefined || revived.has(o.key)
        ? []
        : [{ key: o.key, remoteKeys: [remoteKey], localAction: o.action, localAtMs: o.atMs }];
    }),
  );
  return objects.map((object) => ({
    object,
    remoteKey: found.get(object.key),
    kept: kept.has(object.key),
    revived: revived.has(object.key),
  }));
}

/**
 * Deleted objects that exist locally again: the deleted key itself, or another local row paired with
 * the same remote counterpart. Only writes that are not logged bring a deleted object back, typically
 * a sync from the remote whose newer change won over this delete and re-created the row here. Sending
 * the delete would remove the remote row the local side keeps: the two databases would never converge.
 */
async function revivedLocally(
  ctx: EngineContext,
  mapping: EntityMapping,
  found: ReadonlyMap<EncodedKey, EncodedKey>,
): Promise<Set<EncodedKey>> {
  if (found.size === 0) return new Set();
  const paired = await lookupIdMapByRemote(ctx.sides, mapping.name, [...new Set(found.values())]);
  const localKeys = (key: EncodedKey, remoteKey: EncodedKey) => [key, ...(paired.get(remoteKey) ?? [])];
  const probe = [...found].flatMap(([key, remoteKey]) => localKeys(key, remoteKey));
  const existing = await existingKeys(ctx.local, mapping.local, probe);
  const out = new Set<EncodedKey>();
  for (const [key, remoteKey] of found)
    if (localKeys(key, remoteKey).some((k) => existing.has(k))) out.add(key);
  return out;
}

/** Keys the application sets (not generated, not made of references) name the same row on both sides. */
async function matchSameKeys(
  ctx: EngineContext,
  mapping: EntityMapping,
  objects: readonly BatchObject[],
  found: ReadonlyMap<EncodedKey, EncodedKey>,
): Promise<Map<EncodedKey, EncodedKey>> {
  const plainKey =
    mapping.generatedKey === undefined && mapping.keys.every((k) => k.local.relationMetadata === undefined);
  const open = plainKey
    ? objects.filter((o) => !found.has(o.key) && !o.insertedInRange).map((o) => o.key)
    : [];
  const existing = open.length === 0 ? new Set<EncodedKey>() : await existingRemoteKeys(ctx, mapping, open);
  return new Map(open.filter((k) => existing.has(k)).map((k) => [k, k]));
}

async function matchStoredNaturalKeys(
  ctx: EngineContext,
  mapping: EntityMapping,
  objects: BatchObject[],
): Promise<Map<EncodedKey, EncodedKey>> {
  const out = new Map<EncodedKey, EncodedKey>();
  const fields = mapping.config?.naturalKey?.fields;
  if (fields === undefined || objects.length === 0) return out;
  const probes: { key: EncodedKey; values: unknown[] }[] = [];
  for (const object of objects) {
    const values = await storedValues(ctx, mapping, fields, object);
    if (values !== undefined) probes.push({ key: object.key, values });
  }
  const columns = naturalColumns(mapping, fields);
  const side = ctx.remote;
  const keyColumns = mapping.remote.primaryColumns;
  const selected = [...new Map([...keyColumns, ...columns].map((c) => [c.databaseName, c])).values()];
  const select = selected.map((c) => `${side.e(c.databaseName)} AS ${side.e(c.databaseName)}`).join(', ');
  for (const part of chunksOf(probes, tuplesPerCondition(side, columns.length))) {
    const persisted = part.map((p) =>
      columns.map((c, i) => ctx.options.remote.driver.preparePersistentValue(p.values[i], c) as unknown),
    );
    const where = tupleCondition(
      side,
      columns.map((c) => side.e(c.databaseName)),
      persisted,
    );
    const rows = await queryRows<RawRow>(
      side,
      `SELECT ${select} FROM ${side.e(mapping.remote.tablePath)} WHERE ${where.sql}`,
      where.params,
    );
    const bySignature = new Map<string, EncodedKey[]>();
    for (const row of rows) {
      const values = columns.map(
        (c) =>
          ctx.options.remote.driver.preparePersistentValue(
            hydrate(ctx.options.remote, c, row[c.databaseName]),
            c,
          ) as unknown,
      );
      const signature = signatureOf(values);
      const list = bySignature.get(signature) ?? [];
      list.push(keyOfRawRow(mapping.remote, row));
      bySignature.set(signature, list);
    }
    part.forEach((probe, i) => {
      const keys = bySignature.get(signatureOf(persisted[i] ?? [])) ?? [];
      if (keys.length > 1 && mapping.config?.naturalKey?.allowMany !== true) {
        throw new MultipleNaturalKeyMatchesError(
          mapping.name,
          Object.fromEntries(fields.map((f, j) => [f, probe.values[j]])),
          keys.length,
        );
      }
      if (keys[0] !== undefined) out.set(probe.key, keys[0]);
    });
  }
  return out;
}

/** The stored natural-key values as remote column values (relation fields mapped through the id map). */
async function storedValues(
  ctx: EngineContext,
  mapping: EntityMapping,
  fields: readonly string[],
  object: BatchObject,
): Promise<unknown[] | undefined> {
  const stored = decodeTyped(object.naturalKey);
  if (!Array.isArray(stored)) return undefined;
  const values: unknown[] = [];
  for (const [i, field] of fields.entries()) {
    const found = naturalKeyField(mapping.local, field);
    const value = stored[i] as unknown;
    if (found === undefined || !('relation' in found)) {
      values.push(value ?? null);
      continue;
    }
    const fk = mapping.foreignKeys.find((f) => f.relation === found.relation);
    if (fk === undefined) return undefined;
    if (value === null || value === undefined) {
      values.push(...fk.columns.map(() => null));
      continue;
    }
    const lookup = await lookupIdMap(ctx.sides, fk.target.name, [String(value)]);
    const mapped = lookup.candidates.get(String(value))?.[0];
    const remoteKey = mapped ?? (fk.target.generatedKey === undefined ? String(value) : undefined);
    if (remoteKey === undefined) return undefined;
    values.push(...fk.columns.map((c) => decodeKey(remoteKey)[c.targetPath] ?? null));
  }
  return values;
}

/** @internal Deletes the planned remote rows, one statement per chunk. */
export async function deleteRemoteRows(
  ctx: EngineContext,
  mapping: EntityMapping,
  remoteKeys: readonly EncodedKey[],
) {
  const side = ctx.remote;
  const columns = mapping.remote.primaryColumns;
  const escaped = columns.map((c) => side.e(c.databaseName));
  for (const part of chunksOf(remoteKeys, tuplesPerCondition(side, escaped.length))) {
    const where = tupleCondition(side, escaped, keyTuples(columns, part));
    await side.db.query(`DELETE FROM ${side.e(mapping.remote.tablePath)} WHERE ${where.sql}`, where.params);
  }
}
