import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ChangeAction } from '../core/change-action';
import { dataSourceOf } from '../core/data-source-of';
import { CaptureFailedError } from '../core/errors';
import { keyOfEntityId, logRow } from './capture-rows';
import { naturalKeyForDelete } from './natural-key-reader';
import type { SynchroEntityConfig } from './entity-config';
import { flushLogRows } from './log-buffer';
import { writeLogRows, type LogRowInput } from './log-writer';
import { watchedConfigOf } from './watched-config';

/**
 * Logs writes made with raw SQL (`query()`), which the subscriber cannot see. `keys` are primary
 * values (single-column keys), id maps (`{ orderId: 1, line: 2 }`) or entities. Pass the transaction's
 * manager to log atomically with the write. For a `'delete'` of an entity with a `@NaturalKey`, pass
 * the entities (with their natural-key fields) or call `logChange` before deleting, so the natural
 * key can be read and stored. Always logs, even inside `runInNoLogContext`.
 *
 * @example
 * ```ts
 * await ds.transaction(async (m) => {
 *   await m.query('UPDATE "order" SET "total" = "total" * 2 WHERE "id" = $1', [7])
 *   await logChange(m, Order, [7], 'update')
 * })
 * ```
 */
export async function logChange(
  manager: EntityManager,
  entity: EntityTarget<ObjectLiteral>,
  keys: unknown,
  action: ChangeAction,
): Promise<void> {
  const { config } = watchedConfigOf(dataSourceOf(manager), entity);
  const list = Array.isArray(keys) ? (keys as unknown[]) : [keys];
  const rows: LogRowInput[] = [];
  for (const value of list) rows.push(await rowOf(manager, config, value, action));
  await writeNow(manager, rows);
}

async function rowOf(
  manager: EntityManager,
  config: SynchroEntityConfig,
  value: unknown,
  action: ChangeAction,
): Promise<LogRowInput> {
  const key = keyOfEntityId(config.metadata, value);
  if (key === undefined)
    throw new CaptureFailedError(
      config.name,
      action,
      'pass primary values, id maps or entities with their primary key set',
    );
  if (action !== 'delete') return logRow(config.name, key, action);
  return logRow(config.name, key, action, await naturalKeyForDelete(manager, config, key, [value]));
}

async function writeNow(manager: EntityManager, rows: LogRowInput[]): Promise<void> {
  const own = manager.queryRunner;
  if (own !== undefined) {
    // Rows the subscriber queued in this transaction come first, keeping log order = write order.
    await flushLogRows(own);
    return writeLogRows(own, rows);
  }
  const runner = dataSourceOf(manager).createQueryRunner();
  try {
    await writeLogRows(runner, rows);
  } finally {
    await runner.release();
  }
}
