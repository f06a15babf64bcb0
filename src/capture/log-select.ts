import {
  SelectQueryBuilder,
  type DataSource,
  type EntityMetadata,
  type ObjectLiteral,
  type QueryBuilder,
  type QueryRunner,
} from 'typeorm';
import { encodeKey } from '../core/entity-key';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import type { CapturedBuilder, CapturePlan } from './bulk-write-capture';

/** A log key computed by the database: an SQL expression and its bound literal pieces (named parameters). */
interface KeySql {
  readonly expression: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Stands in for a column's value while the key's JSON is laid out (`JSON.stringify` leaves it as is). */
const MARK = '\uE000';
const MARK_SPLIT = new RegExp(`${MARK}(\\d+)${MARK}`);
const keySqlCache = new WeakMap<EntityMetadata, Map<string, KeySql | null>>();

/** The log columns both statement forms fill, in the order their SELECTs list the values. */
const LOG_COLUMNS = ['entity', 'object_key', 'action', 'natural_key', 'at_ms'];

/** The logged action of a key-only statement (soft deletes and restores are updates: the row stays). */
function actionOf(plan: CapturePlan): 'delete' | 'update' {
  return plan.kind === 'delete' ? 'delete' : 'update';
}

/** Kinds whose log rows need only the primary key (deletes of natural-keyed entities need more). */
const KEY_ONLY_KINDS = new Set<CapturePlan['kind']>(['update', 'soft-delete', 'delete']);

/**
 * @internal `encodeKey`'s JSON for the primary columns, split around each value: literal text at even
 * indexes, the column's index in `primaryColumns` at odd ones. Built by `encodeKey` itself, so the
 * property order, quoting and separators are the ones every other log row has.
 */
export function keyTemplate(metadata: EntityMetadata): (string | number)[] {
  const record: Record<string, string> = {};
  metadata.primaryColumns.forEach((column, i) => (record[column.propertyPath] = `${MARK}${i}${MARK}`));
  return encodeKey(record)
    .split(MARK_SPLIT)
    .map((part, i) => (i % 2 === 1 ? Number(part) : part));
}

function buildKeySql(dataSource: DataSource, metadata: EntityMetadata, alias: string): KeySql | undefined {
  const dialect = dialectFor(dataSource);
  const e = (name: string) => dataSource.driver.escape(name);
  if (dialect.keyTextSql === undefined || dialect.concatSql === undefined) return undefined;
  if (metadata.primaryColumns.length === 0) return undefined;
  const params: Record<string, string> = {};
  const parts: string[] = [];
  for (const [i, part] of keyTemplate(metadata).entries()) {
    if (typeof part === 'number') {
      const column = metadata.primaryColumns[part]!;
      const text = dialect.keyTextSql(column, `${e(alias)}.${e(column.databaseName)}`, dataSource);
      if (text === undefined) return undefined;
      parts.push(text);
    } else if (part !== '') {
      params[`synchro_key_${i}`] = part;
      parts.push(`:synchro_key_${i}`);
    }
  }
  return { expression: dialect.concatSql(parts), params };
}

/** {@link buildKeySql}, once per entity and alias. */
function keySqlOf(dataSource: DataSource, metadata: EntityMetadata, alias: string): KeySql | undefined {
  let byAlias = keySqlCache.get(metadata);
  if (byAlias === undefined) keySqlCache.set(metadata, (byAlias = new Map()));
  let keySql = byAlias.get(alias);
  if (keySql === undefined) byAlias.set(alias, (keySql = buildKeySql(dataSource, metadata, alias) ?? null));
  return keySql ?? undefined;
}

/** The statement's key SQL when its log rows can be written by one INSERT … SELECT, else `undefined`. */
function keySqlFor(qb: CapturedBuilder, plan: CapturePlan, alias?: string): KeySql | undefined {
  const map = qb.expressionMap;
  if (plan.config === undefined || !KEY_ONLY_KINDS.has(plan.kind)) return undefined;
  if (plan.kind === 'delete' && plan.config.naturalKey !== undefined) return undefined;
  // LIMIT (with ORDER BY) could pick other rows in a second statement; CTEs cannot follow INSERT … everywhere.
  if (map.limit !== undefined || map.offset !== undefined || map.take !== undefined || map.skip !== undefined)
    return undefined;
  if (Object.keys(map.orderBys).length > 0 || (map.commonTableExpressions?.length ?? 0) > 0) return undefined;
  return keySqlOf(plan.dataSource, plan.metadata, alias ?? map.mainAlias?.name ?? plan.metadata.tableName);
}

/**
 * SELECT of the rows the statement will touch, as log rows (entity, key, action, natural key, server
 * clock), locked. Sorted by key, so every row is read and locked before the first log row is inserted:
 * a streaming INSERT … SELECT would hold InnoDB's table-level auto-increment lock on the log (lock mode
 * 1, MariaDB's default) while it waits for a row lock, stalling every other transaction's log insert.
 */
function logRowsSelect(
  qb: CapturedBuilder,
  plan: CapturePlan,
  key: KeySql,
): SelectQueryBuilder<ObjectLiteral> {
  const dialect = dialectFor(plan.dataSource);
  // One copy of the builder's expression map (clone().select() would copy it twice).
  let select = new SelectQueryBuilder(qb as unknown as QueryBuilder<ObjectLiteral>)
    .select(':synchro_entity', 'synchro_entity')
    .addSelect(key.expression, 'synchro_key')
    .addSelect(':synchro_action', 'synchro_action')
    .addSelect(':synchro_natural_key', 'synchro_natural_key')
    .addSelect(dialect.nowMsSql, 'synchro_at_ms')
    .setParameters({
      ...key.params,
      synchro_entity: plan.config!.name,
      synchro_action: actionOf(plan),
      synchro_natural_key: 'null',
    })
    .orderBy('synchro_key');
  if (plan.kind !== 'soft-delete') select = select.withDeleted();
  return dialect.forUpdateSql === '' ? select : select.setLock('pessimistic_write');
}

/**
 * Where the dialect can compute log keys in SQL: writes the log rows of the rows `qb` is about to touch
 * with one `INSERT INTO synchro_log … SELECT … FOR UPDATE` through `runner` (in the statement's own
 * transaction) and returns true; returns false, having done nothing, when the keys must be read first.
 * The locks (next-key locks on MySQL) keep other transactions from adding or changing matching rows
 * before the statement runs, as the locking pre-select does.
 * @internal
 */
export async function logKeysBySelect(
  qb: CapturedBuilder,
  plan: CapturePlan,
  runner: QueryRunner,
): Promise<boolean> {
  const insert = logInsertSql(qb, plan);
  if (insert === undefined) return false;
  await runner.query(insert.sql, insert.params);
  return true;
}

/** A log `INSERT … SELECT` with its positional parameters. @internal */
export interface LogInsert {
  readonly sql: string;
  readonly params: unknown[];
  /** How many leading parameters are the log row's own (entity, key pieces, action, natural key); the rest are the WHERE's. */
  readonly fixed: number;
}

/** Whether {@link logInsertSql} can log the rows of `qb`'s statement. @internal */
export function logsBySelect(qb: CapturedBuilder, plan: CapturePlan): boolean {
  return keySqlFor(qb, plan) !== undefined;
}

/**
 * `INSERT INTO synchro_log … SELECT … FOR UPDATE` of the rows `qb` is about to touch, where the dialect
 * can compute log keys in SQL; else `undefined`.
 * @internal
 */
export function logInsertSql(qb: CapturedBuilder, plan: CapturePlan): LogInsert | undefined {
  const key = keySqlFor(qb, plan);
  if (key === undefined) return undefined;
  const e = (name: string) => plan.dataSource.driver.escape(name);
  const columns = LOG_COLUMNS.map(e).join(', ');
  const [sql, params] = logRowsSelect(qb, plan, key).getQueryAndParameters();
  // The SELECT list (entity, key pieces, action, natural key) comes before the WHERE.
  const fixed = Object.keys(key.params).length + 3;
  return { sql: `INSERT INTO ${e(SYNCHRO_TABLES.log)} (${columns}) ${sql}`, params, fixed };
}

/** The CTE that holds the rows a statement touched, as its RETURNING gives them. */
const TOUCHED = 'synchro_touched';

/**
 * Where the dialect has writable CTEs and can compute log keys in SQL: runs `run()` (TypeORM's own
 * `execute`, so its events and result stay as they are) with the statement rewritten to
 * `WITH touched AS (<statement> RETURNING <key>) INSERT INTO synchro_log … SELECT … FROM touched`, one
 * atomic statement whose affected-row count is the statement's. Returns `undefined` without running
 * anything when it cannot (then the caller logs the usual way).
 * @internal
 */
export async function runWithLogCte(
  qb: CapturedBuilder,
  plan: CapturePlan,
  run: () => Promise<unknown>,
): Promise<{ result: unknown } | undefined> {
  const dialect = dialectFor(plan.dataSource);
  if (dialect.logWithCte !== true) return undefined;
  const key = keySqlFor(qb, plan, TOUCHED);
  if (key === undefined) return undefined;
  const e = (name: string) => plan.dataSource.driver.escape(name);
  const map = qb.expressionMap;
  const before = map.returning;
  map.returning = plan.metadata.primaryColumns.map((c) => e(c.databaseName)).join(', ');
  try {
    return { result: await rewritingStatement(qb, (sql, params) => withLogCte(plan, key, sql, params), run) };
  } finally {
    map.returning = before;
  }
}

/**
 * Runs `run()` (TypeORM's own `execute`) with the SQL and parameters it sends for `qb` passed through
 * `rewrite` first.
 * @internal
 */
export async function rewritingStatement<T>(
  qb: CapturedBuilder,
  rewrite: (sql: string, params: unknown[]) => [string, unknown[]],
  run: () => Promise<T>,
): Promise<T> {
  const own = qb as unknown as { getQueryAndParameters(): [string, unknown[]] };
  const original = own.getQueryAndParameters;
  own.getQueryAndParameters = () => rewrite(...original.call(qb));
  try {
    return await run();
  } finally {
    delete (own as Partial<typeof own>).getQueryAndParameters;
  }
}

function withLogCte(plan: CapturePlan, key: KeySql, sql: string, params: unknown[]): [string, unknown[]] {
  const dialect = dialectFor(plan.dataSource);
  const e = (name: string) => plan.dataSource.driver.escape(name);
  const out = [...params];
  const bind = (value: unknown) => {
    out.push(value);
    return dialect.placeholder(out.length);
  };
  const keyExpression = key.expression.replace(/:(synchro_key_\d+)/g, (_, name: string) =>
    bind(key.params[name]),
  );
  const columns = LOG_COLUMNS.map(e).join(', ');
  const select = `${bind(plan.config!.name)}, ${keyExpression}, ${bind(actionOf(plan))}, ${bind('null')}, ${dialect.nowMsSql}`;
  return [
    `WITH ${e(TOUCHED)} AS (${sql}) INSERT INTO ${e(SYNCHRO_TABLES.log)} (${columns}) SELECT ${select} FROM ${e(TOUCHED)}`,
    out,
  ];
}
