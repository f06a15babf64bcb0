import type { EncodedKey } from '../core/entity-key';
import { decodeTyped } from '../core/typed-json';
import { decideConflicts } from './conflict-policy';
import {
  existingKeys,
  existingRemoteKeys,
  naturalColumns,
  naturalKeyRelation,
  remoteKeysByNaturalValues,
  signatureOf,
  singleNaturalMatch,
} from './counterpart';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { lookupIdMap, lookupIdMapByRemote } from './id-map-store';
import { keyTuples } from './row-reader';
import { chunksOf, tupleCondition, tuplesPerCondition } from './sync-sql';
import { foreignKeyParts } from './value-converter';
import type { BatchObject } from './work-set';

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

/** Deleted objects found by the natural key stored at delete time (one query per chunk of probes). */
async function matchStoredNaturalKeys(
  ctx: EngineContext,
  mapping: EntityMapping,
  objects: BatchObject[],
): Promise<Map<EncodedKey, EncodedKey>> {
  const out = new Map<EncodedKey, EncodedKey>();
  const fields = mapping.config?.naturalKey?.fields;
  if (fields === undefined || objects.length === 0) return out;
  const probes = await storedProbes(ctx, mapping, fields, objects);
  const columns = naturalColumns(mapping, fields);
  const driver = ctx.options.remote.driver;
  for (const part of chunksOf(probes, tuplesPerCondition(ctx.remote, columns.length))) {
    const persisted = part.map((p) => columns.map((c, i) => driver.preparePersistentValue(p.values[i], c)));
    const matches = await remoteKeysByNaturalValues(ctx, mapping, columns, persisted);
    part.forEach((probe, i) => {
      const match = singleNaturalMatch(
        mapping,
        probe.values,
        matches.get(signatureOf(persisted[i] ?? [])) ?? [],
      );
      if (match !== undefined) out.set(probe.key, match);
    });
  }
  return out;
}

interface StoredProbe {
  key: EncodedKey;
  /** The stored natural-key values as remote column values. */
  values: unknown[];
}

/** The objects whose stored natural key can be looked for on the remote, with its remote values. */
async function storedProbes(
  ctx: EngineContext,
  mapping: EntityMapping,
  fields: readonly string[],
  objects: readonly BatchObject[],
): Promise<StoredProbe[]> {
  const stored = objects.flatMap((o) => {
    const values = decodeTyped(o.naturalKey);
    return Array.isArray(values) ? [{ key: o.key, stored: values as unknown[] }] : [];
  });
  const related = await relatedRemoteKeys(
    ctx,
    mapping,
    fields,
    stored.map((s) => s.stored),
  );
  return stored.flatMap(({ key, stored: values }) => {
    const remote = storedValues(mapping, fields, values, related);
    return remote === undefined ? [] : [{ key, values: remote }];
  });
}

/** Remote key candidates of the related objects the stored keys name: one id-map lookup per target. */
async function relatedRemoteKeys(
  ctx: EngineContext,
  mapping: EntityMapping,
  fields: readonly string[],
  stored: readonly unknown[][],
): Promise<Map<string, Map<EncodedKey, EncodedKey[]>>> {
  const wanted = new Map<string, Set<EncodedKey>>();
  for (const [i, field] of fields.entries()) {
    const fk = naturalKeyRelation(mapping, field);
    if (fk === undefined || fk === 'unmapped') continue;
    const keys = wanted.get(fk.target.name) ?? new Set<EncodedKey>();
    for (const values of stored)
      if (values[i] !== null && values[i] !== undefined) keys.add(String(values[i]));
    wanted.set(fk.target.name, keys);
  }
  const out = new Map<string, Map<EncodedKey, EncodedKey[]>>();
  for (const [entity, keys] of wanted)
    out.set(entity, (await lookupIdMap(ctx.sides, entity, [...keys])).candidates);
  return out;
}

/** The stored natural-key values as remote column values (relation fields mapped through `related`). */
function storedValues(
  mapping: EntityMapping,
  fields: readonly string[],
  stored: readonly unknown[],
  related: ReadonlyMap<string, ReadonlyMap<EncodedKey, EncodedKey[]>>,
): unknown[] | undefined {
  const values: unknown[] = [];
  for (const [i, field] of fields.entries()) {
    const fk = naturalKeyRelation(mapping, field);
    const value = stored[i];
    if (fk === 'unmapped') return undefined;
    if (fk === undefined) values.push(value ?? null);
    else if (value === null || value === undefined) values.push(...fk.columns.map(() => null));
    else {
      const mapped = related.get(fk.target.name)?.get(String(value))?.[0];
      const remoteKey = mapped ?? (fk.target.generatedKey === undefined ? String(value) : undefined);
      if (remoteKey === undefined) return undefined;
      values.push(...foreignKeyParts(fk, remoteKey));
    }
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
    await side.db.query(`DELETE FROM ${side.t(mapping.remote.tablePath)} WHERE ${where.sql}`, where.params);
  }
}
