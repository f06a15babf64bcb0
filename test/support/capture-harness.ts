import type { DataSource, DataSourceOptions } from 'typeorm';
import { decodeTyped } from '../../src/core/typed-json';
import { SynchroSubscriber, synchroEntities } from '../../src/index';
import { CAPTURE_ENTITIES } from './capture-entities';
import { openDataSource, type TestDatabase } from './test-database';

/** One row of synchro_log as a test compares it. */
export interface LoggedRow {
  entity: string;
  key: Record<string, string>;
  action: string;
  naturalKey?: unknown;
}

/** Opens the capture entities on `db`, with the subscriber unless `subscriber: false`. */
export function openCaptureDataSource(
  db: TestDatabase,
  options: { subscriber?: boolean } & Partial<DataSourceOptions> = {},
): Promise<DataSource> {
  const { subscriber = true, ...extra } = options;
  return openDataSource(db, {
    entities: [...CAPTURE_ENTITIES, ...synchroEntities],
    subscribers: subscriber ? [SynchroSubscriber] : [],
    ...extra,
  } as Partial<DataSourceOptions> & Pick<DataSourceOptions, 'entities'>);
}

/** The log rows after `afterId` in id order (natural keys decoded, shown only when not null). */
export async function readLog(ds: DataSource, afterId = '0'): Promise<LoggedRow[]> {
  const e = (n: string) => ds.driver.escape(n);
  const rows = (await ds.query(
    `SELECT ${e('id')} AS id, ${e('entity')} AS entity, ${e('object_key')} AS k, ${e('action')} AS action, ` +
      `${e('natural_key')} AS nk FROM ${e('synchro_log')} WHERE ${e('id')} > ${Number(afterId)} ORDER BY ${e('id')}`,
  )) as { entity: string; k: string; action: string; nk: string }[];
  return rows.map((r) => {
    const row: LoggedRow = {
      entity: r.entity,
      key: JSON.parse(r.k) as Record<string, string>,
      action: r.action,
    };
    const nk = decodeTyped(r.nk);
    if (nk !== null) row.naturalKey = nk;
    return row;
  });
}

/** The highest log id so far: read the log after it to see only what a test did. */
export async function logMark(ds: DataSource): Promise<string> {
  const e = (n: string) => ds.driver.escape(n);
  const rows = (await ds.query(`SELECT MAX(${e('id')}) AS m FROM ${e('synchro_log')}`)) as { m: unknown }[];
  return String(rows[0]?.m ?? '0');
}

/** Runs `fn` and returns the log rows it wrote. */
export async function loggedBy(ds: DataSource, fn: () => Promise<unknown>): Promise<LoggedRow[]> {
  const mark = await logMark(ds);
  await fn();
  return readLog(ds, mark);
}

/** Shorthand for an expected row. */
export function row(
  entity: string,
  key: Record<string, string | number>,
  action: string,
  naturalKey?: unknown,
): LoggedRow {
  const k = Object.fromEntries(Object.entries(key).map(([p, v]) => [p, String(v)]));
  return naturalKey === undefined ? { entity, key: k, action } : { entity, key: k, action, naturalKey };
}
