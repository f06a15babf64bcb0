import type { DataSource } from 'typeorm';
import { dataSourceOf, type DataSourceLike } from '../core/data-source-of';
import { InvalidOptionError } from '../core/errors';
import { dialectFor } from '../dialect/dialect-for';
import { readNodeId } from '../store/node-identity';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { initializeBoth, withAdminPair } from './admin-pair';
import { readCursor, writeCursor } from './cursor-store';
import { readLocalHighWaterMark } from './run-session';
import { SYNC_DEFAULTS } from './sync-options';

/** Where a (local → remote) pair's delivery stands: the last log id applied and when it was written. */
export interface Checkpoint {
  /** The last local log id applied on the remote (inclusive). */
  logId: string;
  /** When the checkpoint was last written (remote server clock, ISO 8601). */
  at: string;
}

/** A new checkpoint: a log id, a server time (the last log id at or before it), or `'now'` (the log's end). */
export type CheckpointValue = { logId: string } | Date | 'now';

/**
 * The checkpoint of local → remote, read from the remote's authoritative cursor; `null` before the
 * first sync.
 *
 * @example
 * ```ts
 * const cp = await getCheckpoint(office, production) // { logId: '1041', at: '2026-11-28T07:00:00.000Z' }
 * ```
 */
export async function getCheckpoint(local: DataSource, remote: DataSource): Promise<Checkpoint | null> {
  await initializeBoth(local, remote);
  const localNode = await readNodeId(local);
  if (localNode === undefined) return null;
  const cursor = await readCursor(remote, localNode, 'in');
  return cursor === undefined ? null : { logId: cursor.logId, at: new Date(cursor.atMs).toISOString() };
}

/**
 * Moves the checkpoint of local → remote: the next sync sends the local log after it. Writes the
 * remote's cursor and the local mirror, holding the remote's run lock.
 *
 * @example
 * ```ts
 * await setCheckpoint(office, production, 'now')                         // skip everything logged so far
 * await setCheckpoint(office, production, new Date('2026-11-01T00:00Z')) // resend what came after
 * await setCheckpoint(office, production, { logId: '0' })                // resend the whole log
 * ```
 */
export async function setCheckpoint(
  local: DataSource,
  remote: DataSource,
  value: CheckpointValue,
): Promise<Checkpoint> {
  checkValue(value);
  return withAdminPair(local, remote, {}, async ({ localNode, remoteNode, remoteRunner }) => {
    const logId = await logIdFor(local, value);
    await writeCursor(remoteRunner, localNode, 'in', logId);
    await writeCursor(local, remoteNode, 'out', logId);
    const cursor = await readCursor(remoteRunner, localNode, 'in');
    return { logId, at: new Date(cursor?.atMs ?? Date.now()).toISOString() };
  });
}

function checkValue(value: unknown): void {
  if (value === 'now') return;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return;
  const logId = (value as { logId?: unknown } | null)?.logId;
  if (typeof logId === 'string' && /^\d+$/.test(logId)) return;
  throw new InvalidOptionError(
    'checkpoint',
    `${JSON.stringify(value)} is not a checkpoint`,
    "pass 'now', a valid Date, or { logId: '<digits>' }",
  );
}

async function logIdFor(local: DataSource, value: CheckpointValue): Promise<string> {
  if (value === 'now') return readLocalHighWaterMark(local, SYNC_DEFAULTS.lockTimeoutMs);
  if (value instanceof Date) return logIdAt(local, value.getTime());
  return BigInt(value.logId).toString();
}

/**
 * The highest log id whose server time is at or before `atMs`, never past the log's high-water mark.
 *
 * @example
 * ```ts
 * const logId = await logIdAt(local, Date.parse('2026-11-01T00:00:00Z'))
 * ```
 */
export async function logIdAt(local: DataSource, atMs: number): Promise<string> {
  const hwm = BigInt(await readLocalHighWaterMark(local, SYNC_DEFAULTS.lockTimeoutMs));
  const atOrBefore = await scalar(local, `max`, '<=', atMs);
  const after = atOrBefore === undefined ? await scalar(local, 'min', '>', atMs) : undefined;
  const found = atOrBefore ?? (after === undefined ? hwm : after - 1n);
  return (found < hwm ? found : hwm).toString();
}

async function scalar(
  db: DataSourceLike,
  fn: 'max' | 'min',
  op: '<=' | '>',
  atMs: number,
): Promise<bigint | undefined> {
  const ds = dataSourceOf(db);
  const e = (name: string) => ds.driver.escape(name);
  const p = dialectFor(ds).placeholder;
  const rows = (await db.query(
    `SELECT ${fn}(${e('id')}) AS ${e('v')} FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('at_ms')} ${op} ${p(1)}`,
    [atMs],
  )) as { v: unknown }[];
  const v = rows[0]?.v;
  return v === null || v === undefined ? undefined : BigInt(String(v));
}
