import { DataSource, type DataSourceOptions } from 'typeorm';
import { SynchroSubscriber } from '../src/capture/synchro-subscriber';
import type { TestDialect } from '../test/support/dialects';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { BENCH_ENTITIES } from './bench-entities';

/** A bench database: its DataSource (with or without the subscriber) and how to drop it. */
export interface BenchDb {
  readonly dialect: TestDialect;
  readonly db: TestDatabase;
  readonly ds: DataSource;
  close(): Promise<void>;
}

/** Opens a DataSource on `db` with the bench entities (schema created on first open). */
export async function openBench(db: TestDatabase, subscriber: boolean, sync = true): Promise<DataSource> {
  const ds = new DataSource({
    ...db.options,
    entities: BENCH_ENTITIES,
    subscribers: subscriber ? [SynchroSubscriber] : [],
    synchronize: sync,
    logging: false,
  } as DataSourceOptions);
  await ds.initialize();
  return ds;
}

/** A fresh database of `dialect` with the bench schema and a DataSource that logs (the subscriber). */
export async function freshDb(dialect: TestDialect, subscriber = true): Promise<BenchDb> {
  const db = await createTestDatabase(dialect);
  const ds = await openBench(db, subscriber);
  return {
    dialect,
    db,
    ds,
    close: async () => {
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
      await db.drop();
    },
  };
}

/** The per-database SQL the data generator needs (only the bench branches on the database). */
export interface GenSql {
  /** `INSERT INTO … SELECT … FROM <series>` for n in [from, to]: the series as a FROM item with column `n`. */
  insertFromSeries(insertHead: string, select: string, from: number, to: number): string;
  concat(...parts: string[]): string;
  /** A timestamp `n` seconds after 2024-01-01 00:00:00.000, in the driver's storage format. */
  timestamp(seconds: string): string;
  /** Server clock in UTC epoch ms. */
  nowMs: string;
  /** Integer division. */
  div(a: string, b: string): string;
}

const SQLITE: GenSql = {
  insertFromSeries: (head, select, from, to) =>
    `WITH RECURSIVE s(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM s WHERE n < ${to}) ${head} ${select} FROM s`,
  concat: (...parts) => parts.join(' || '),
  timestamp: (s) => `strftime('%Y-%m-%d %H:%M:%f', '2024-01-01 00:00:00', '+' || (${s}) || ' seconds')`,
  nowMs: "CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)",
  div: (a, b) => `((${a}) / (${b}))`,
};

const POSTGRES: GenSql = {
  insertFromSeries: (head, select, from, to) =>
    `${head} ${select} FROM generate_series(${from}, ${to}) AS s(n)`,
  concat: (...parts) => parts.map((p) => `(${p})::text`).join(' || '),
  timestamp: (s) => `(timestamp '2024-01-01 00:00:00' + (${s}) * interval '1 second')`,
  nowMs: '(floor(extract(epoch from clock_timestamp()) * 1000))::bigint',
  div: (a, b) => `((${a}) / (${b}))`,
};

const MYSQL: GenSql = {
  insertFromSeries: (head, select, from, to) =>
    `${head} ${select} FROM (SELECT seq AS n FROM seq_${from}_to_${to}) AS s`,
  concat: (...parts) => `CONCAT(${parts.join(', ')})`,
  timestamp: (s) => `TIMESTAMPADD(SECOND, ${s}, '2024-01-01 00:00:00')`,
  nowMs: "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
  div: (a, b) => `((${a}) DIV (${b}))`,
};

/** The generator SQL of a dialect. */
export const GEN_SQL: Record<TestDialect, GenSql> = { sqlite: SQLITE, postgres: POSTGRES, mysql: MYSQL };

/** Resets a PostgreSQL sequence / MySQL auto-increment after explicit-id inserts, so later inserts do not collide. */
export async function resetAutoIncrement(ds: DataSource, dialect: TestDialect, table: string): Promise<void> {
  const e = (n: string) => ds.driver.escape(n);
  const max = Number(
    ((await ds.query(`SELECT MAX(id) AS m FROM ${e(table)}`)) as { m: unknown }[])[0]?.m ?? 0,
  );
  const reset: Record<TestDialect, string | undefined> = {
    sqlite: undefined,
    postgres: `SELECT setval(pg_get_serial_sequence('${table}', 'id'), ${Math.max(1, max)}, ${max > 0})`,
    mysql: `ALTER TABLE ${e(table)} AUTO_INCREMENT = ${max + 1}`,
  };
  const sql = reset[dialect];
  if (sql !== undefined) await ds.query(sql);
}
