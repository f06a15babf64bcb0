import type { DataSource } from 'typeorm';
import { readNodeId } from '../../../src/store/node-identity';
import { SYNCHRO_TABLES } from '../../../src/store/synchro-tables';
import { RelChild, RelLink, RelParent, RelTag } from './model-entities';

/** Rows of every reliability entity: id → identity (uid, or label for tags). */
async function identities(ds: DataSource): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  const tags = await ds.getRepository(RelTag).find();
  out.set('rel_tag', new Map(tags.map((t) => [String(t.id), t.label])));
  for (const [name, target] of [
    ['rel_parent', RelParent],
    ['rel_child', RelChild],
    ['rel_link', RelLink],
  ] as const) {
    const rows = (await ds.getRepository(target).find()) as { id: number; uid: string }[];
    out.set(name, new Map(rows.map((r) => [String(r.id), r.uid])));
  }
  return out;
}

/** Identities that occur more than once in a table (duplicated rows). */
export async function duplicatesOf(ds: DataSource): Promise<string[]> {
  const dups: string[] = [];
  for (const [entity, rows] of await identities(ds)) {
    const seen = new Set<string>();
    for (const identity of rows.values()) {
      if (seen.has(identity)) dups.push(`${entity}:${identity}`);
      seen.add(identity);
    }
  }
  return dups;
}

interface IdMapRow {
  entity: string;
  localKey: string;
  peerKey: string;
}

async function idMapRows(ds: DataSource, peer: string): Promise<IdMapRow[]> {
  const e = (n: string) => ds.driver.escape(n);
  const p = ds.driver.options.type === 'postgres' ? '$1' : '?';
  return (await ds.query(
    `SELECT ${e('entity')} AS ${e('entity')}, ${e('local_key')} AS ${e('localKey')}, ${e('peer_key')} AS ${e('peerKey')} ` +
      `FROM ${e(SYNCHRO_TABLES.idMap)} WHERE ${e('peer')} = ${p}`,
    [peer],
  )) as IdMapRow[];
}

const idOf = (key: string) => String((JSON.parse(key) as { id: string }).id);

/**
 * Problems with the authoritative id map on `remote` (rows `peer = local`): every pair must join a
 * remote row and a local row of the same identity; with `complete`, every remote row is mapped once.
 */
export async function idMapProblems(
  local: DataSource,
  remote: DataSource,
  complete: boolean,
): Promise<string[]> {
  const localNode = (await readNodeId(local)) as string;
  const [localIds, remoteIds] = [await identities(local), await identities(remote)];
  const problems: string[] = [];
  const mapped = new Map<string, number>();
  for (const row of await idMapRows(remote, localNode)) {
    const remoteIdentity = remoteIds.get(row.entity)?.get(idOf(row.localKey));
    const localIdentity = localIds.get(row.entity)?.get(idOf(row.peerKey));
    if (remoteIdentity === undefined) continue; // the remote row was deleted later: harmless
    if (remoteIdentity !== localIdentity)
      problems.push(`${row.entity} ${row.localKey}→${row.peerKey}: ${remoteIdentity} ≠ ${localIdentity}`);
    const id = `${row.entity}:${idOf(row.localKey)}`;
    mapped.set(id, (mapped.get(id) ?? 0) + 1);
  }
  if (!complete) return problems;
  for (const [entity, rows] of remoteIds) {
    for (const id of rows.keys()) {
      const n = mapped.get(`${entity}:${id}`) ?? 0;
      if (n !== 1) problems.push(`${entity} remote row ${id} is mapped ${n} times`);
    }
  }
  return problems;
}

/** A cursor's log id (`undefined` when there is none). */
export async function cursorOf(
  ds: DataSource,
  peer: string,
  direction: 'in' | 'out',
): Promise<string | undefined> {
  const e = (n: string) => ds.driver.escape(n);
  const [p1, p2] = ds.driver.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const rows = (await ds.query(
    `SELECT ${e('log_id')} AS ${e('logId')} FROM ${e(SYNCHRO_TABLES.cursor)} WHERE ${e('peer')} = ${p1} AND ${e('direction')} = ${p2}`,
    [peer, direction],
  )) as { logId: unknown }[];
  return rows[0] === undefined ? undefined : String(rows[0].logId);
}

/** The largest log id of a database ('0' when empty). */
export async function logEndOf(ds: DataSource): Promise<string> {
  const e = (n: string) => ds.driver.escape(n);
  const rows = (await ds.query(`SELECT MAX(${e('id')}) AS ${e('hwm')} FROM ${e(SYNCHRO_TABLES.log)}`)) as {
    hwm: unknown;
  }[];
  return String(rows[0]?.hwm ?? '0');
}
