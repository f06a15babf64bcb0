import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { initializeOne } from './admin-pair';
import { listCursors } from './cursor-store';

/**
 * Deletes the log rows every known peer has received (at or below the lowest `'out'` cursor) and
 * returns how many; with no known peer nothing is deleted. Rows are only ever pruned behind the
 * mirror cursors, which never lead the remotes' own.
 *
 * @example
 * ```ts
 * const deleted = await pruneLog(office) // e.g. 1200
 * ```
 */
export async function pruneLog(local: DataSource): Promise<number> {
  await initializeOne('local', local);
  const delivered = (await listCursors(local))
    .filter((c) => c.direction === 'out')
    .map((c) => BigInt(c.logId));
  if (delivered.length === 0) return 0;
  const upTo = delivered.reduce((a, b) => (b < a ? b : a)).toString();
  const e = (name: string) => local.driver.escape(name);
  const where = `FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} <= ${dialectFor(local).placeholder(1)}`;
  return local.transaction(async (manager) => {
    const rows = (await manager.query(`SELECT count(*) AS ${e('n')} ${where}`, [upTo])) as { n: unknown }[];
    await manager.query(`DELETE ${where}`, [upTo]);
    return Number(rows[0]?.n ?? 0);
  });
}
