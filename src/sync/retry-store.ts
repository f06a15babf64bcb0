import type { EncodedKey } from '../core/entity-key';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { chunksOf, queryRows, textIn, tuplesPerStatement, type SideSql } from './sync-sql';

/** @internal An object skipped by an earlier run, kept on the remote until a run applies it. */
export interface RetryEntry {
  readonly entity: string;
  readonly key: EncodedKey;
  readonly reason: string;
  readonly code: string;
}

/** @internal Every pending retry from `peer` (the local node). */
export async function readRetries(remote: SideSql, peer: string): Promise<RetryEntry[]> {
  const { e } = remote;
  const sql =
    `SELECT ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('key')}, ${e('reason')} AS ${e('reason')}, ` +
    `${e('code')} AS ${e('code')} FROM ${e(SYNCHRO_TABLES.retry)} WHERE ${e('peer')} = ${remote.dialect.placeholder(1)}`;
  return queryRows<RetryEntry>(remote, sql, [peer]);
}

/** @internal Records skipped objects for the next run (upsert: the newest reason wins). */
export async function writeRetries(
  remote: SideSql,
  peer: string,
  entries: readonly RetryEntry[],
): Promise<void> {
  const { e } = remote;
  const columns = ['peer', 'entity', 'object_key', 'reason', 'code'].map(e);
  const suffix = remote.dialect.upsertSuffix(columns.slice(0, 3), [e('reason'), e('code'), e('at_ms')]);
  for (const part of chunksOf(entries, tuplesPerStatement(remote, 5))) {
    const tuples = part.map((_, r) => {
      const marks = columns.map((__, c) => remote.dialect.placeholder(r * 5 + c + 1));
      return `(${marks.join(', ')}, ${remote.dialect.nowMsSql})`;
    });
    const params = part.flatMap((x) => [peer, x.entity, x.key, x.reason.slice(0, 2000), x.code.slice(0, 40)]);
    await remote.db.query(
      `INSERT INTO ${e(SYNCHRO_TABLES.retry)} (${columns.join(', ')}, ${e('at_ms')}) VALUES ${tuples.join(', ')}${suffix}`,
      params,
    );
  }
}

/** @internal Forgets retries of objects that were applied. */
export async function deleteRetries(
  remote: SideSql,
  peer: string,
  entity: string,
  keys: readonly EncodedKey[],
): Promise<void> {
  const { e } = remote;
  const p = remote.dialect.placeholder;
  for (const part of chunksOf(keys, tuplesPerStatement(remote, 1))) {
    const within = textIn(remote, e('object_key'), part, 2);
    await remote.db.query(
      `DELETE FROM ${e(SYNCHRO_TABLES.retry)} WHERE ${e('peer')} = ${p(1)} AND ${e('entity')} = ${p(2)} AND ${within.sql}`,
      [peer, entity, ...within.params],
    );
  }
}
