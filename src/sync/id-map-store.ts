import type { EncodedKey } from '../core/entity-key';
import { multiRowInsertSql } from '../dialect/synchro-dialect';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
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
 * @internal Remote keys of `localKeys` from the union of the remote's authoritative rows
 * (peer = local node, by peer_key) and the local mirror (peer = remote node, by local_key). Several
 * candidates per key are possible after a re-creation; all are returned, authoritative ones first.
 */
export async function lookupIdMap(
  sides: IdMapSides,
  entity: string,
  localKeys: readonly EncodedKey[],
): Promise<IdMapLookup> {
  const found = new Map<EncodedKey, EncodedKey[]>();
  const onRemote = new Set<string>();
  const add = (local: EncodedKey, remote: EncodedKey) => {
    const list = found.get(local) ?? [];
    if (!list.includes(remote)) list.push(remote);
    found.set(local, list);
  };
  for (const row of await selectMap(sides.remote, sides.localNode, entity, 'peer_key', localKeys)) {
    add(row.peerKey, row.localKey);
    onRemote.add(pairId(row.peerKey, row.localKey));
  }
  for (const row of await selectMap(sides.local, sides.remoteNode, entity, 'local_key', localKeys)) {
    add(row.localKey, row.peerKey);
  }
  return { candidates: found, onRemote };
}

/**
 * @internal The other direction of {@link lookupIdMap}: the local keys paired with each of
 * `remoteKeys`, from the remote's authoritative rows (by local_key) and the local mirror (by peer_key).
 */
export async function lookupIdMapByRemote(
  sides: IdMapSides,
  entity: string,
  remoteKeys: readonly EncodedKey[],
): Promise<Map<EncodedKey, EncodedKey[]>> {
  const found = new Map<EncodedKey, EncodedKey[]>();
  const add = (remote: EncodedKey, local: EncodedKey) => {
    const list = found.get(remote) ?? [];
    if (!list.includes(local)) list.push(local);
    found.set(remote, list);
  };
  for (const row of await selectMap(sides.remote, sides.localNode, entity, 'local_key', remoteKeys))
    add(row.localKey, row.peerKey);
  for (const row of await selectMap(sides.local, sides.remoteNode, entity, 'peer_key', remoteKeys))
    add(row.peerKey, row.localKey);
  return found;
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
  const rows = dedupe(pairs.map((pair) => [entity, pair.remoteKey, pair.localKey]));
  await upsertMapRows(side, sides.localNode, rows);
}

/** @internal Writes the local mirror rows (peer = remote node), after the remote committed. */
export async function writeLocalIdMap(
  sides: IdMapSides,
  entity: string,
  pairs: readonly KeyPair[],
): Promise<void> {
  const rows = dedupe(pairs.map((pair) => [entity, pair.localKey, pair.remoteKey]));
  await upsertMapRows(sides.local, sides.remoteNode, rows);
}

function dedupe(rows: string[][]): string[][] {
  return [...new Map(rows.map((row) => [`${row[0]}\u0000${row[1]}`, row])).values()];
}

/** Upserts (entity, local_key, peer_key) rows for one peer: text arrays where supported, else VALUES. */
async function upsertMapRows(side: SideSql, peer: string, rows: readonly string[][]): Promise<void> {
  const { e } = side;
  const columns = ['entity', 'local_key', 'peer_key'].map(e);
  const suffix = side.dialect.upsertSuffix([e('peer'), ...columns.slice(0, 2)], [e('peer_key')]);
  const arrays = side.dialect.insertTextArraysSql;
  for (const part of chunksOf(rows, tuplesPerStatement(side, 4))) {
    if (arrays !== undefined) {
      const sql = arrays(e(SYNCHRO_TABLES.idMap), columns, e('peer'), 'CAST($4 AS varchar)') + suffix;
      await side.db.query(sql, [...columns.map((_, c) => part.map((row) => row[c])), peer]);
      continue;
    }
    const sql = multiRowInsertSql(
      side.dialect.placeholder,
      e(SYNCHRO_TABLES.idMap),
      [e('peer'), ...columns],
      part.length,
    );
    await side.db.query(
      sql + suffix,
      part.flatMap((row) => [peer, ...row]),
    );
  }
}
