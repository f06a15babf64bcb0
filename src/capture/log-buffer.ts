import type { QueryRunner } from 'typeorm';
import { writeLogRows, type LogRowInput } from './log-writer';

const buffers = new WeakMap<QueryRunner, LogRowInput[]>();

/**
 * Queues a log row on the runner of the change: inside a transaction it is written with the
 * transaction's other rows as one multi-row INSERT when the (sub)transaction ends; outside one it is
 * written at once.
 * @internal
 */
export async function queueLogRows(runner: QueryRunner, rows: readonly LogRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  if (!runner.isTransactionActive) return writeLogRows(runner, rows);
  const buffer = buffers.get(runner);
  if (buffer === undefined) buffers.set(runner, [...rows]);
  else for (const row of rows) buffer.push(row);
}

/**
 * Writes the runner's queued rows through it (one statement per chunk). Called before a commit and
 * before a savepoint opens, so that what is queued always belongs to the innermost open level.
 * @internal
 */
export async function flushLogRows(runner: QueryRunner): Promise<void> {
  const buffer = buffers.get(runner);
  if (buffer === undefined || buffer.length === 0) return;
  buffers.delete(runner);
  await writeLogRows(runner, dedupeM2m(buffer));
}

/** Drops the queued rows of the (sub)transaction being rolled back. @internal */
export function discardLogRows(runner: QueryRunner): void {
  buffers.delete(runner);
}

/** One m2m row per owner and flush is enough: it only says "copy this owner's join rows". */
function dedupeM2m(rows: LogRowInput[]): LogRowInput[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (row.action !== 'm2m') return true;
    const id = `${row.entity}\u0000${row.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
