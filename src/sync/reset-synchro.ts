import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { initializeOne } from './admin-pair';
import { readLocalHighWaterMark } from './run-session';
import { SYNC_DEFAULTS } from './sync-options';

/** Options of {@link resetSynchro}. */
export interface ResetSynchroOptions {
  /**
   * Also forget which rows are counterparts (the id map). Later syncs then match rows by natural key
   * or primary key only and may duplicate rows with generated keys. Default `false`.
   */
  forgetIds?: boolean;
}

/**
 * django-synchro's `reset_synchro`: everything logged so far counts as delivered. Every delivery
 * cursor of this node is set to the log's current end and the log up to it is cleared, in one
 * transaction; the id map is kept unless `forgetIds`. Returns the log id the cursors now stand at.
 *
 * @example
 * ```ts
 * await resetSynchro(office)                      // checkpoints to now, log cleared
 * await resetSynchro(office, { forgetIds: true }) // and forget counterparts
 * ```
 */
export async function resetSynchro(
  local: DataSource,
  options: ResetSynchroOptions = {},
): Promise<{ logId: string }> {
  await initializeOne('local', local);
  const logId = await readLocalHighWaterMark(local, SYNC_DEFAULTS.lockTimeoutMs);
  const e = (name: string) => local.driver.escape(name);
  const dialect = dialectFor(local);
  const p = dialect.placeholder;
  await local.transaction(async (manager) => {
    await manager.query(`DELETE FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} <= ${p(1)}`, [logId]);
    await manager.query(
      `UPDATE ${e(SYNCHRO_TABLES.cursor)} SET ${e('log_id')} = ${p(1)}, ${e('at_ms')} = ${dialect.nowMsSql} ` +
        `WHERE ${e('direction')} = 'out'`,
      [logId],
    );
    if (options.forgetIds === true) await manager.query(`DELETE FROM ${e(SYNCHRO_TABLES.idMap)}`);
  });
  return { logId };
}
