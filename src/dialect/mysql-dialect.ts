import type { DataSource, QueryRunner } from 'typeorm';
import {
  driverErrorOf,
  isNetworkError,
  retryWhile,
  valuesChunk,
  type ErrorKind,
  type SynchroDialect,
} from './synchro-dialect';
import { mysqlKeyTextSql } from './mysql-key-text';

const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
]);
/** An operation refused to a logged-in user: on a table, a column, or one needing a global privilege. */
const PRIVILEGE_CODES = new Set([
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
]);
/** Refused settings: user or password, access to the database, no such database. */
const LOGIN_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);
/** MariaDB block prologue: any error inside undoes the transaction, then is raised unchanged. */
const BLOCK_START =
  'BEGIN NOT ATOMIC DECLARE synchro_affected BIGINT; ' +
  'DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; START TRANSACTION;';
/** MariaDB block epilogue: commits, then selects the last statement's affected-row count. */
const BLOCK_END =
  'SET synchro_affected = ROW_COUNT(); COMMIT; SELECT synchro_affected AS synchro_affected; END';
/** `statements` in one MariaDB anonymous block (see `SynchroDialect.atomicBlock`). */
function blockSql(statements: readonly string[]): string {
  return `${BLOCK_START} ${statements.join('; ')}; ${BLOCK_END}`;
}

/**
 * The count a {@link blockSql} block selects. mysql2 returns a block's results as a list, its one row
 * set first; the block's own OK packet after it sums the rows of every statement, so it is not used.
 */
function blockAffected(raw: unknown): number | undefined {
  const [rows] = Array.isArray(raw) ? (raw as unknown[]) : [];
  const first = Array.isArray(rows) ? (rows[0] as { synchro_affected?: unknown } | undefined) : undefined;
  return first?.synchro_affected === undefined ? undefined : Number(first.synchro_affected);
}
const CONSTRAINT_KINDS: Record<string, ErrorKind> = {
  ER_DUP_ENTRY: 'unique',
  ER_BAD_NULL_ERROR: 'not-null',
  ER_NO_DEFAULT_FOR_FIELD: 'not-null',
  ER_NO_REFERENCED_ROW_2: 'foreign-key',
  ER_ROW_IS_REFERENCED_2: 'foreign-key',
  ER_CONSTRAINT_FAILED: 'check',
  ER_CHECK_CONSTRAINT_VIOLATED: 'check',
  ER_LOCK_WAIT_TIMEOUT: 'lock-timeout',
};

/**
 * MySQL / MariaDB: no UPDATE RETURNING, `GET_LOCK` named per database, `LOCK TABLES … READ` high-water
 * mark, and anonymous blocks on MariaDB only.
 */
export const mysqlDialect: SynchroDialect = {
  name: 'mysql',
  // mysql2 interpolates on the client: the real limit is max_allowed_packet, kept well below here.
  maxParameters: 20000,
  supportsReturning: false,
  singleConnection: false,
  inProcess: false,
  copiesStoredValues: false,
  nowMsSql: "(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6)) DIV 1000)",
  forUpdateSql: ' FOR UPDATE',
  placeholder: () => '?',
  upsertSuffix: (keys, updates) => {
    const assignments = (updates.length > 0 ? updates : keys.slice(0, 1)).map((c) => `${c} = VALUES(${c})`);
    return ` ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`;
  },

  async readHighWaterMark(dataSource: DataSource, logTable: string, timeoutMs: number): Promise<string> {
    // LOCK TABLES commits the connection's open transaction: it gets a connection of its own.
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SET SESSION lock_wait_timeout = 1');
      return await retryWhile(timeoutMs, isLockTimeout, async () => {
        await runner.query(`LOCK TABLES ${logTable} READ`);
        try {
          const rows = (await runner.query(`SELECT MAX(id) AS hwm FROM ${logTable}`)) as { hwm: unknown }[];
          return String(rows[0]?.hwm ?? '0');
        } finally {
          await runner.query('UNLOCK TABLES');
        }
      });
    } finally {
      await runner.release();
    }
  },

  async acquireRunLock(runner: QueryRunner, timeoutMs: number): Promise<boolean> {
    const rows = (await runner.query(`SELECT GET_LOCK(CONCAT('typeorm-synchro:', DATABASE()), ?) AS ok`, [
      Math.max(0, timeoutMs) / 1000,
    ])) as { ok: unknown }[];
    return Number(rows[0]?.ok) === 1;
  },

  async releaseRunLock(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT RELEASE_LOCK(CONCAT('typeorm-synchro:', DATABASE()))`);
  },

  async databaseIdentity(runner: QueryRunner): Promise<string> {
    const rows = (await runner.query(
      'SELECT DATABASE() AS db, @@hostname AS host, @@port AS port, @@server_id AS sid',
    )) as Record<string, unknown>[];
    const row = rows[0] ?? {};
    return `mysql://${String(row.host)}:${String(row.port)}/${String(row.db)}#${String(row.sid)}`;
  },

  classifyError(error: unknown): ErrorKind {
    const driver = driverErrorOf(error);
    const code = typeof driver.code === 'string' ? driver.code : '';
    if (LOGIN_CODES.has(code)) return 'login';
    if (PRIVILEGE_CODES.has(code)) return 'privilege';
    if (
      CONNECTION_CODES.has(code) ||
      isNetworkError(driver) ||
      driver.fatal === true ||
      driver.errno === 1927
    )
      return 'connection';
    if (
      /Connection lost|connection is in closed state|Can't add new command when connection is in closed state/i.test(
        error instanceof Error ? error.message : '',
      )
    )
      return 'connection';
    return CONSTRAINT_KINDS[code] ?? 'other';
  },

  readColumnSql: (column) => column,
  keyTextSql: mysqlKeyTextSql,
  concatSql: (parts) => `CONCAT(${parts.join(', ')})`,
  atomicBlock: {
    // The very block the capture sends, around a statement that does nothing: a server or session
    // that cannot run one part of it (MySQL; MariaDB with sql_mode=ORACLE) rejects the probe.
    probeSql: blockSql(['DO 0']),
    sql: blockSql,
    affectedOf: blockAffected,
  },

  async insertGenerated(runner, insert): Promise<unknown[]> {
    if (insert.rows.length === 0) return [];
    const step = await consecutiveStep(runner);
    // Without consecutive auto-increment ids (innodb_autoinc_lock_mode = 2) one row per statement is exact.
    const chunks =
      step === undefined
        ? insert.rows.map((row) => valuesChunk(() => '?', insert.escapedTable, insert.escapedColumns, [row]))
        : [insert];
    const keys: unknown[] = [];
    for (const chunk of chunks) {
      const header = (await runner.query(chunk.sql, chunk.params)) as { insertId?: number | string };
      const first = BigInt(String(header.insertId ?? 0));
      chunk.rows.forEach((_, i) => keys.push((first + BigInt(i) * BigInt(step ?? 1)).toString()));
    }
    return keys;
  },
};

/**
 * The id step of a multi-row insert when InnoDB hands out consecutive ids to one statement
 * (`innodb_autoinc_lock_mode` 0 or 1), else `undefined`. Read once per connection.
 */
async function consecutiveStep(runner: QueryRunner): Promise<number | undefined> {
  const cached = stepCache.get(runner);
  if (cached !== undefined) return cached.step;
  const rows = (await runner.query(
    'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step',
  )) as { mode: unknown; step: unknown }[];
  const step = Number(rows[0]?.mode) <= 1 ? Number(rows[0]?.step ?? 1) : undefined;
  stepCache.set(runner, { step });
  return step;
}

const stepCache = new WeakMap<QueryRunner, { step: number | undefined }>();

function isLockTimeout(error: unknown): boolean {
  return mysqlDialect.classifyError(error) === 'lock-timeout';
}
