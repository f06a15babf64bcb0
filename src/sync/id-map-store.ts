import type { EncodedKey } from '../core/entity-key';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import type { TypedArrays } from '../dialect/synchro-dialect';
import { insertChunks } from './insert-chunks';
import { chunksOf, keyedSelect, queryRows, textIn, tuplesPerStatement, type SideSql } from './sync-sql';

/** @internal A counterpart pair: the local key and the remote key of the same object. */
export interface KeyPair {
  readonly localKey: EncodedKey;
  readonly remoteKey: EncodedKey;
}

/** @internal Where the id map of one (local, remote) pair lives and how it is read and written. */
export interface IdMapSides {
  readonly local: SideSql;
  readonly remote: SideSql;
  readonly localNode: string;
  readonly remoteNode: string;
}

/**
 * @internal Remote keys of `localKeys` from the union of the remote's rows (peer = local node, by
 * peer_key) and the local side's (peer = remote node, by local_key). Several
 * candidates per key are possible after a re-creation; all are returned, authoritative ones first.
 */
export async function lookupIdMap(
  sides: IdMapSides,
  entity: string,
  localKeys: readonly EncodedKey[],
): Promise<IdMapLookup> {
  const pairs = await pairsNamed(sides, entity, 'local', localKeys);
  return {
    candidates: groupUnique(
      pairs,
      (pair) => pair.localKey,
      (pair) => pair.remoteKey,
    ),
    onRemote: new Set(
      pairs.filter((pair) => pair.onRemote).map((pair) => pairId(pair.localKey, pair.remoteKey)),
    ),
  };
}

/**
 * @internal The other direction of {@link lookupIdMap}: the local keys paired with each of
 * `remoteKeys`, from the remote's rows (by local_key) and the local side's (by peer_key).
 */
export async function lookupIdMapByRemote(
  sides: IdMapSides,
  entity: string,
  remoteKeys: readonly EncodedKey[],
): Promise<Map<EncodedKey, EncodedKey[]>> {
  const pairs = await pairsNamed(sides, entity, 'remote', remoteKeys);
  return groupUnique(
    pairs,
    (pair) => pair.remoteKey,
    (pair) => pair.localKey,
  );
}

/**
 * The pairs both id maps hold for `keys`, which are local or remote keys: the remote's rows
 * (peer = local node, written by syncs in this direction) first, then the local side's (peer = remote
 * node, written by syncs the other way, or by older versions' mirror), read only when it has any.
 */
async function pairsNamed(
  sides: IdMapSides,
  entity: string,
  by: 'local' | 'remote',
  keys: readonly EncodedKey[],
): Promise<(KeyPair & { onRemote: boolean })[]> {
  const byLocal = by === 'local';
  // The two sides answer at the same time.
  const [remote, localHolds] = await Promise.all([
    selectMap(sides.remote, sides.localNode, entity, byLocal ? 'peer_key' : 'local_key', keys),
    holdsPairs(sides.local, sides.remoteNode, entity),
  ]);
  const local = localHolds
    ? await selectMap(sides.local, sides.remoteNode, entity, byLocal ? 'local_key' : 'peer_key', keys)
    : [];
  return [
    ...remote.map((row) => ({ localKey: row.peerKey, remoteKey: row.localKey, onRemote: true })),
    ...local.map((row) => ({ localKey: row.localKey, remoteKey: row.peerKey, onRemote: false })),
  ];
}

function groupUnique<T>(
  items: readonly T[],
  keyOf: (item: T) => EncodedKey,
  valueOf: (item: T) => EncodedKey,
): Map<EncodedKey, EncodedKey[]> {
  const out = new Map<EncodedKey, EncodedKey[]>();
  for (const item of items) {
    const list = out.get(keyOf(item)) ?? [];
    if (!list.includes(valueOf(item))) list.push(valueOf(item));
    out.set(keyOf(item), list);
  }
  return out;
}

/** @internal What {@link lookupIdMap} found. */
export interface IdMapLookup {
  /** Remote key candidates per local key, authoritative ones first. */
  readonly candidates: Map<EncodedKey, EncodedKey[]>;
  /** {@link pairId}s of the pairs the remote itself holds. */
  readonly onRemote: Set<string>;
}

/** @internal The identity of a (local key, remote key) pair. */
export function pairId(localKey: EncodedKey, remoteKey: EncodedKey): string {
  return `${localKey}\u0000${remoteKey}`;
}

/** Whether `side`'s id map has any pair of `entity` with `peer`: one probe of the (peer, entity, …) key. */
async function holdsPairs(side: SideSql, peer: string, entity: string): Promise<boolean> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const sql = `SELECT 1 AS ${e('one')} FROM ${e(SYNCHRO_TABLES.idMap)} WHERE ${e('peer')} = ${p(1)} AND ${e('entity')} = ${p(2)} LIMIT 1`;
  return (await queryRows(side, sql, [peer, entity])).length > 0;
}

async function selectMap(
  side: SideSql,
  peer: string,
  entity: string,
  byColumn: 'peer_key' | 'local_key',
  keys: readonly EncodedKey[],
): Promise<{ localKey: string; peerKey: string }[]> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const out: { localKey: string; peerKey: string }[] = [];
  for (const part of chunksOf(keys, tuplesPerStatement(side, 1))) {
    const { sql, params } = keyedSelect(side, {
      select: `${e('local_key')} AS ${e('localKey')}, ${e('peer_key')} AS ${e('peerKey')}`,
      from: e(SYNCHRO_TABLES.idMap),
      where: `${e('peer')} = ${p(1)} AND ${e('entity')} = ${p(2)}`,
      params: [peer, entity],
      keyColumn: e(byColumn),
      keys: part,
    });
    out.push(...(await queryRows<{ localKey: string; peerKey: string }>(side, sql, params)));
  }
  return out;
}

/**
 * @internal Writes the authoritative rows on the remote (peer = local node, local_key = remote key,
 * peer_key = local key) in the caller's transaction; the older pairs of the `replaced` local objects go.
 */
export async function writeRemoteIdMap(
  sides: IdMapSides,
  entity: string,
  pairs: readonly KeyPair[],
  replaced: readonly KeyPair[],
): Promise<void> {
  if (pairs.length === 0) return;
  const side = sides.remote;
  const { e } = side;
  const p = side.dialect.placeholder;
  for (const part of chunksOf(replaced, tuplesPerStatement(side, 1))) {
    const within = textIn(
      side,
      e('peer_key'),
      part.map((pair) => pair.localKey),
      2,
    );
    await side.db.query(
      `DELETE FROM ${e(SYNCHRO_TABLES.idMap)} WHERE ${e('peer')} = ${p(1)} AND ${e('entity')} = ${p(2)} AND ${within.sql}`,
      [sides.localNode, entity, ...within.params],
    );
  }
  const rows = dedupe(pairs, (pair) => [pair.remoteKey, pair.localKey]);
  await upsertMapRows(side, sides.localNode, entity, rows);
}

/** @internal Writes pairs on the local side too (peer = remote node): `adoptCopy` pairs both directions at once. */
export async function writeLocalIdMap(
  sides: IdMapSides,
  entity: string,
  pairs: readonly KeyPair[],
): Promise<void> {
  const rows = dedupe(pairs, (pair) => [pair.localKey, pair.remoteKey]);
  await upsertMapRows(sides.local, sides.remoteNode, entity, rows);
}

/**
 * The pairs as (local_key, peer_key) rows of one side's map, the last row per local key kept (the id
 * map's primary key within a peer and entity).
 */
function dedupe(
  pairs: readonly KeyPair[],
  row: (pair: KeyPair) => readonly [string, string],
): (readonly [string, string])[] {
  const byLocal = new Map<string, readonly [string, string]>();
  for (const pair of pairs) {
    const r = row(pair);
    byLocal.set(r[0], r);
  }
  return [...byLocal.values()];
}

/**
 * Upserts (local_key, peer_key) pairs of one entity for one peer: text arrays where supported (peer and
 * entity bound once), else VALUES.
 */
async function upsertMapRows(
  side: SideSql,
  peer: string,
  entity: string,
  rows: readonly (readonly [string, string])[],
): Promise<void> {
  const { e } = side;
  const suffix = side.dialect.upsertSuffix([e('peer'), e('entity'), e('local_key')], [e('peer_key')]);
  const arrays = side.dialect.typedArrays;
  if (arrays !== undefined) await upsertAsArrays(side, arrays, [peer, entity], rows, suffix);
  else {
    const values = rows.map(([local, remote]) => [peer, entity, local, remote]);
    const columns = ['peer', 'entity', 'local_key', 'peer_key'];
    for (const insert of await insertChunks(side, SYNCHRO_TABLES.idMap, columns, values)) {
      await side.db.query(insert.sql + suffix, insert.params);
    }
  }
  await keepStatistics(side, entity, rows.length);
}

/** The pairs as two text arrays, with `peer` and `entity` bound once per statement. */
async function upsertAsArrays(
  side: SideSql,
  arrays: TypedArrays,
  [peer, entity]: readonly [string, string],
  rows: readonly (readonly [string, string])[],
  suffix: string,
): Promise<void> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const fixed = [
    { escapedColumn: e('peer'), sql: `CAST(${p(3)} AS varchar)` },
    { escapedColumn: e('entity'), sql: `CAST(${p(4)} AS varchar)` },
  ];
  const columns = [e('local_key'), e('peer_key')];
  const sql = arrays.insertSql(e(SYNCHRO_TABLES.idMap), columns, ['text', 'text'], fixed);
  for (const part of chunksOf(rows, tuplesPerStatement(side, 4))) {
    await side.db.query(sql + suffix, [part.map((row) => row[0]), part.map((row) => row[1]), peer, entity]);
  }
}

/**
 * Pairs of one entity a run writes to one side's id map before the side's statistics are refreshed
 * (see `SynchroDialect.refreshStatisticsSql`); the next refresh comes when that count has grown
 * fourfold, so a run of a million pairs refreshes six times (1,000 → 4,000 → … → 1,024,000).
 */
const FIRST_REFRESH_AT = 1_000;
const REFRESH_GROWTH = 4;

const writtenBySide = new WeakMap<SideSql, Map<string, { written: number; refreshAt: number }>>();

async function keepStatistics(side: SideSql, entity: string, count: number): Promise<void> {
  const refresh = side.dialect.refreshStatisticsSql;
  if (refresh === undefined) return;
  const counts = writtenBySide.get(side) ?? new Map<string, { written: number; refreshAt: number }>();
  writtenBySide.set(side, counts);
  const entry = counts.get(entity) ?? { written: 0, refreshAt: FIRST_REFRESH_AT };
  counts.set(entity, entry);
  entry.written += count;
  if (entry.written < entry.refreshAt) return;
  entry.refreshAt = entry.written * REFRESH_GROWTH;
  await side.db.query(refresh(side.e(SYNCHRO_TABLES.idMap)));
}
