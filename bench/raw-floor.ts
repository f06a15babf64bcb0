import type { DataSource } from 'typeorm';
import { dialectFor } from '../src/dialect/dialect-for';
import { multiRowInsertSql } from '../src/dialect/synchro-dialect';
import { BENCH_TABLES } from './bench-entities';

type Row = Record<string, unknown>;

const COLUMNS: Record<string, string[]> = {
  [BENCH_TABLES.parent]: ['id', 'name'],
  [BENCH_TABLES.tag]: ['id', 'label'],
  [BENCH_TABLES.item]: ['id', 'code', 'qty', 'price', 'active', 'happenedAt', 'data', 'note', 'parentId'],
  [BENCH_TABLES.join]: ['benchItemId', 'benchTagId'],
};

const PAGE = 20_000;

/** `YYYY-MM-DD HH:MM:SS.sss` (UTC), how TypeORM stores dates in SQLite. */
function sqliteDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** The minimum a raw copy must do so the target driver accepts the source driver's value. */
function bindable(value: unknown, toSqlite: boolean): unknown {
  if (!toSqlite) return value;
  if (value instanceof Date) return sqliteDate(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * The raw floor: copies parent, tag, item and join rows from `local` to `remote` with keyset-paged
 * SELECTs and multi-row INSERTs (as many rows per statement as the target's parameter limit allows),
 * in one remote transaction, through the same TypeORM drivers. No lookups, no log, no id map.
 */
export async function rawFloorCopy(local: DataSource, remote: DataSource): Promise<number> {
  const runner = remote.createQueryRunner();
  await runner.connect();
  const toSqlite = dialectFor(remote).name === 'sqlite';
  let copied = 0;
  try {
    await runner.startTransaction();
    for (const table of [BENCH_TABLES.parent, BENCH_TABLES.tag, BENCH_TABLES.item, BENCH_TABLES.join]) {
      copied += await copyTable(local, remote, (sql, params) => runner.query(sql, params), table, toSqlite);
    }
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
  return copied;
}

async function copyTable(
  local: DataSource,
  remote: DataSource,
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  table: string,
  toSqlite: boolean,
): Promise<number> {
  const columns = COLUMNS[table] as string[];
  const le = (n: string) => local.driver.escape(n);
  const re = (n: string) => remote.driver.escape(n);
  const dialect = dialectFor(remote);
  const perStatement = Math.floor((dialect.maxParameters - 8) / columns.length);
  const order = table === BENCH_TABLES.join ? columns : ['id'];
  let offset = 0;
  let copied = 0;
  for (;;) {
    const rows = (await local.query(
      `SELECT ${columns.map(le).join(', ')} FROM ${le(table)} ORDER BY ${order.map(le).join(', ')} LIMIT ${PAGE} OFFSET ${offset}`,
    )) as Row[];
    for (let i = 0; i < rows.length; i += perStatement) {
      const part = rows.slice(i, i + perStatement);
      const sql = multiRowInsertSql(dialect.placeholder, re(table), columns.map(re), part.length);
      await query(
        sql,
        part.flatMap((row) => columns.map((c) => bindable(row[c], toSqlite))),
      );
    }
    copied += rows.length;
    offset += PAGE;
    if (rows.length < PAGE) return copied;
  }
}
