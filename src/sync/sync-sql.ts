import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';
import type { SynchroDialect } from '../dialect/synchro-dialect';

/** @internal Something that runs SQL: a DataSource or a QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** @internal What building SQL for one side needs: escaping, placeholders, and where to run it. */
export interface SideSql {
  readonly ds: DataSource;
  readonly dialect: SynchroDialect;
  /** The runner queries go through (the remote transaction), or the DataSource itself. */
  readonly db: Queryable;
  /** An identifier (column, alias, unqualified table), escaped by the driver. */
  e(name: string): string;
  /** A table path (`schema.table`, `database.table`), each part escaped, as TypeORM builds them. */
  t(tablePath: string): string;
}

/** @internal */
export function sideSql(ds: DataSource, db: Queryable = ds): SideSql {
  const dialect = dialectFor(ds);
  const e = (name: string) => ds.driver.escape(name);
  return { ds, dialect, db, e, t: (tablePath) => tablePath.split('.').map(e).join('.') };
}

/** @internal Runs a query and returns its rows. */
export async function queryRows<T = Record<string, unknown>>(
  side: SideSql,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = (await side.db.query(sql, params)) as unknown;
  return (Array.isArray(result) ? result : []) as T[];
}

/** @internal Splits `items` into chunks of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const step = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/**
 * @internal A WHERE condition matching any of `tuples` on `columns` (`c IN (…)` for one column,
 * `(a = ? AND b = ?) OR …` otherwise; NULL-safe), with placeholders numbered from `offset + 1`.
 */
export function tupleCondition(
  side: SideSql,
  escapedColumns: readonly string[],
  tuples: readonly (readonly unknown[])[],
  offset = 0,
): { sql: string; params: unknown[] } {
  const p = side.dialect.placeholder;
  if (tuples.length === 0) return { sql: '1 = 0', params: [] };
  if (escapedColumns.length === 1 && tuples.every((t) => t[0] !== null && t[0] !== undefined)) {
    const marks = tuples.map((_, i) => p(offset + i + 1));
    return { sql: `${escapedColumns[0]} IN (${marks.join(', ')})`, params: tuples.map((t) => t[0]) };
  }
  const params: unknown[] = [];
  const ors = tuples.map((tuple) => {
    const ands = escapedColumns.map((column, c) => {
      const value = tuple[c];
      if (value === null || value === undefined) return `${column} IS NULL`;
      params.push(value);
      return `${column} = ${p(offset + params.length)}`;
    });
    return `(${ands.join(' AND ')})`;
  });
  return { sql: `(${ors.join(' OR ')})`, params };
}

/**
 * Bound parameters the engine puts in one statement at most, below every dialect's hard limit: much
 * larger statements cost more per row (16,000-row id-map INSERTs measured 2.2× slower per row than
 * 1,000-row ones on PostgreSQL 15, 1.4× on MariaDB 10.11).
 */
const PARAMETERS_PER_STATEMENT = 4_000;

/** @internal How many tuples of `width` values fit one statement, leaving room for `reserved` params. */
export function tuplesPerStatement(side: SideSql, width: number, reserved = 8): number {
  const budget = Math.min(side.dialect.maxParameters - reserved, PARAMETERS_PER_STATEMENT);
  return Math.max(1, Math.floor(budget / Math.max(1, width)));
}

/** @internal Tuples per WHERE condition: OR chains stay short (SQLite caps expression depth at 1000). */
export function tuplesPerCondition(side: SideSql, width: number): number {
  return width === 1 ? tuplesPerStatement(side, 1) : 200;
}

/** @internal Groups `items` by `keyOf`, keeping first-seen order. */
export function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [item]);
    else list.push(item);
  }
  return out;
}

/**
 * @internal `column IN (values)` with placeholders numbered from `offset + 1`: one array parameter
 * where the dialect supports it, else one placeholder per value.
 */
export function textIn(
  side: SideSql,
  escapedColumn: string,
  values: readonly string[],
  offset: number,
): { sql: string; params: unknown[] } {
  const any = side.dialect.textAnySql;
  if (any !== undefined) return { sql: any(escapedColumn, offset), params: [[...values]] };
  const marks = values.map((_, i) => side.dialect.placeholder(offset + i + 1)).join(', ');
  return { sql: `${escapedColumn} IN (${marks})`, params: [...values] };
}

/** @internal What {@link keyedSelect} selects: `where` numbers its placeholders 1…`params.length`. */
export interface KeyedSelect {
  readonly select: string;
  readonly from: string;
  readonly where: string;
  readonly params: readonly unknown[];
  /** The escaped text column the keys are matched on. */
  readonly keyColumn: string;
  readonly keys: readonly string[];
  /** Escaped column(s) of `from` to group by. */
  readonly groupBy?: string;
  /** Escaped output column(s) to order by. */
  readonly orderBy?: string;
}

/**
 * @internal A SELECT of the rows whose `keyColumn` is one of many text keys, always served by an index
 * on that column: one probe per key where the dialect can say so (PostgreSQL LATERAL over the keys as
 * one array: a long `= ANY` list is planned as a scan of the whole range), else a plain key list. Both
 * forms return the same columns.
 *
 * @example
 * ```ts
 * const { sql, params } = keyedSelect(side, { select: 'a, b', from: 't', where: 'c = ?', params: [1], keyColumn: 'k', keys })
 * ```
 */
export function keyedSelect(side: SideSql, q: KeyedSelect): { sql: string; params: unknown[] } {
  const { e } = side;
  const group = q.groupBy === undefined ? '' : ` GROUP BY ${q.groupBy}`;
  const order = q.orderBy === undefined ? '' : ` ORDER BY ${q.orderBy}`;
  const perKey = side.dialect.perTextKeySql;
  if (perKey === undefined) {
    const within = textIn(side, q.keyColumn, q.keys, q.params.length);
    const sql = `SELECT ${q.select} FROM ${q.from} WHERE ${q.where} AND ${within.sql}${group}${order}`;
    return { sql, params: [...q.params, ...within.params] };
  }
  const probe = `${q.keyColumn} = ${e('k')}.${e('key')}`;
  const subquery = `SELECT ${q.select} FROM ${q.from} WHERE ${q.where} AND ${probe}${group}`;
  const sql = `SELECT ${e('s')}.* FROM ${perKey(q.params.length, subquery)} ${e('s')}${order}`;
  return { sql, params: [...q.params, [...q.keys]] };
}
