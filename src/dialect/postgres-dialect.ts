import { postgresKeyTextSql } from './postgres-key-text';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  driverErrorOf,
  insertReturning,
  isNetworkError,
  retryWhile,
  sleep,
  type ErrorKind,
  type FixedColumn,
  type SynchroDialect,
} from './synchro-dialect';

const LOCK_KEY = "hashtext('typeorm-synchro:run')";
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
/** invalid_authorization_specification, invalid_password, invalid_catalog_name (no such database). */
const LOGIN_CODES = new Set(['28000', '28P01', '3D000']);
const CONSTRAINT_KINDS: Record<string, ErrorKind> = {
  '23505': 'unique',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23514': 'check',
  '55P03': 'lock-timeout',
};

/**
 * Each column's element type, schema-qualified and quoted as an identifier: `pg_catalog.bpchar`, not
 * `character`, which in a cast means `character(1)` and would cut longer values; no length or
 * precision either, so the column's own assignment rules apply as they do to a bound value. Array
 * columns, and types without an array type, are `NULL`.
 */
const COLUMN_TYPES_SQL = `SELECT a.attname AS name,
  CASE WHEN a.attndims > 0 OR t.typcategory = 'A' OR t.typarray = 0 THEN NULL
  ELSE quote_ident(n.nspname) || '.' || quote_ident(t.typname) END AS type
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

/** PostgreSQL: RETURNING, advisory locks, and a `LOCK TABLE … SHARE MODE` high-water mark. */
export const postgresDialect: SynchroDialect = {
  name: 'postgres',
  maxParameters: 65535,
  supportsReturning: true,
  singleConnection: false,
  inProcess: false,
  copiesStoredValues: false,
  nowMsSql: '(floor(extract(epoch from clock_timestamp()) * 1000))::bigint',
  forUpdateSql: ' FOR UPDATE',
  placeholder: (index) => `$${index}`,
  upsertSuffix: (keys, updates) =>
    updates.length === 0
      ? ` ON CONFLICT (${keys.join(', ')}) DO NOTHING`
      : ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,

  async readHighWaterMark(dataSource: DataSource, logTable: string, timeoutMs: number): Promise<string> {
    const runner = dataSource.createQueryRunner();
    try {
      return await retryWhile(
        timeoutMs,
        (e) => postgresDialect.classifyError(e) === 'lock-timeout',
        async () => {
          await runner.startTransaction();
          try {
            await runner.query(`SET LOCAL lock_timeout = '200ms'`);
            await runner.query(`LOCK TABLE ${logTable} IN SHARE MODE`);
            const rows = (await runner.query(`SELECT max(id) AS hwm FROM ${logTable}`)) as { hwm: unknown }[];
            await runner.commitTransaction();
            return String(rows[0]?.hwm ?? '0');
          } catch (error) {
            await runner.rollbackTransaction();
            throw error;
          }
        },
      );
    } finally {
      await runner.release();
    }
  },

  async acquireRunLock(runner: QueryRunner, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = (await runner.query(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`)) as {
        ok: boolean;
      }[];
      if (rows[0]?.ok === true) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  },

  async releaseRunLock(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  },

  async databaseIdentity(runner: QueryRunner): Promise<string> {
    const rows = (await runner.query(
      `SELECT current_database() AS db, coalesce(inet_server_addr()::text, 'socket') AS addr, ` +
        `coalesce(inet_server_port(), 0) AS port, pg_postmaster_start_time()::text AS started`,
    )) as Record<string, unknown>[];
    const row = rows[0] ?? {};
    return `postgres://${String(row.addr)}:${String(row.port)}/${String(row.db)}@${String(row.started)}`;
  },

  classifyError(error: unknown): ErrorKind {
    const driver = driverErrorOf(error);
    const code = typeof driver.code === 'string' ? driver.code : '';
    if (LOGIN_CODES.has(code)) return 'login';
    if (code === '42501') return 'privilege';
    if (CONNECTION_CODES.has(code) || isNetworkError(driver) || isConnectionMessage(error))
      return 'connection';
    return CONSTRAINT_KINDS[code] ?? 'other';
  },

  readColumnSql: (column) => column,

  insertGenerated: insertReturning,

  typedArrays: { columnTypesSql: COLUMN_TYPES_SQL, insertSql: unnestInsertSql },

  textAnySql: (column, offset) => `${column} = ANY($${offset + 1}::text[])`,

  keyTextSql: postgresKeyTextSql,
  concatSql: (parts) => `(${parts.join(' || ')})`,
  logWithCte: true,

  refreshStatisticsSql: (table) => `ANALYZE (SKIP_LOCKED) ${table}`,

  perTextKeySql: (offset, subquery) =>
    `unnest($${offset + 1}::text[]) AS k(key) CROSS JOIN LATERAL (${subquery} OFFSET 0)`,
};

/**
 * `INSERT … SELECT` from `unnest`ed arrays. Fixed values sit in a CTE: one holding a volatile
 * expression (the clock) is evaluated once, not per row, and binding a repeated value once instead of
 * as an array of repeats cut a 10,000-row log insert by about 30% (one column of arrays instead of four).
 */
function unnestInsertSql(
  table: string,
  columns: readonly string[],
  types: readonly string[],
  fixed: readonly FixedColumn[] = [],
): string {
  const arrays = `unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  if (fixed.length === 0) return `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM ${arrays}`;
  const target = `INSERT INTO ${table} (${[...columns, ...fixed.map((f) => f.escapedColumn)].join(', ')}) `;
  const values = fixed.map((f, i) => `${f.sql} AS f${i}`).join(', ');
  return `WITH synchro_fixed AS (SELECT ${values}) ${target}SELECT u.*, synchro_fixed.* FROM synchro_fixed, ${arrays} AS u`;
}

function isConnectionMessage(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|terminating connection|ECONNRESET|ECONNREFUSED|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}
