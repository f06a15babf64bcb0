import type { QueryRunner } from 'typeorm';
import type { ChangeAction } from '../core/change-action';
import { dataSourceOf } from '../core/data-source-of';
import type { EncodedKey } from '../core/entity-key';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';

/** One log row to write; the id and the server-clock timestamp are assigned by the database. */
export interface LogRowInput {
  readonly entity: string;
  readonly key: EncodedKey;
  readonly action: ChangeAction;
  /** Typed JSON of the natural-key values (deletes of natural-keyed entities); `'null'` otherwise. */
  readonly naturalKey?: string;
}

const PARAMS_PER_ROW = 4;

/** From this many rows on, the server clock is read once and bound, instead of evaluated per row. */
const READ_CLOCK_FROM_ROWS = 20;

/**
 * Writes log rows through `runner`, so they commit or roll back with the change they describe:
 * one multi-row INSERT per chunk, chunked to the dialect's parameter limit. Timestamps come from the
 * database server's clock.
 */
export async function writeLogRows(runner: QueryRunner, rows: readonly LogRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  const ds = dataSourceOf(runner);
  const dialect = dialectFor(ds);
  const e = (name: string) => ds.driver.escape(name);
  if (dialect.typedArrays !== undefined && rows.length > 1) return writeAsArrays(runner, rows);
  const head = `INSERT INTO ${e(SYNCHRO_TABLES.log)} (${e('entity')}, ${e('object_key')}, ${e('action')}, ${e('natural_key')}, ${e('at_ms')}) VALUES `;
  // Per-row clock expressions make big statements slow to parse and plan (3x on PostgreSQL).
  const now = rows.length >= READ_CLOCK_FROM_ROWS ? await serverNowMs(runner) : undefined;
  const perRow = now === undefined ? PARAMS_PER_ROW : PARAMS_PER_ROW + 1;
  const perChunk = Math.max(1, Math.floor(dialect.maxParameters / perRow));
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const values = chunk.map((_, i) => {
      const p = (j: number) => dialect.placeholder(i * perRow + j);
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${now === undefined ? dialect.nowMsSql : p(5)})`;
    });
    const params = chunk.flatMap((r) => {
      const row = [r.entity, r.key, r.action, r.naturalKey ?? 'null'];
      return now === undefined ? row : [...row, now];
    });
    await runner.query(head + values.join(', '), params);
  }
}

async function serverNowMs(runner: QueryRunner): Promise<string> {
  const dialect = dialectFor(dataSourceOf(runner));
  const rows = (await runner.query(
    `SELECT ${dialect.nowMsSql} AS ${dataSourceOf(runner).driver.escape('ms')}`,
  )) as {
    ms: unknown;
  }[];
  return String(rows[0]?.ms);
}

/** The log's text columns besides the key, and how to read each from a row. */
const OTHER_TEXT_COLUMNS: readonly (readonly [string, (row: LogRowInput) => string])[] = [
  ['entity', (r) => r.entity],
  ['action', (r) => r.action],
  ['natural_key', (r) => r.naturalKey ?? 'null'],
];

/**
 * One statement whatever the row count: the keys and each column whose value varies bound as one text
 * array, each column with one value for every row (usually entity, action and natural key) and the
 * clock bound once.
 */
async function writeAsArrays(runner: QueryRunner, rows: readonly LogRowInput[]): Promise<void> {
  const ds = dataSourceOf(runner);
  const dialect = dialectFor(ds);
  const e = (name: string) => ds.driver.escape(name);
  const [varying, same] = partition(OTHER_TEXT_COLUMNS, ([, read]) => !sameForAll(rows, read));
  const arrays = [rows.map((r) => r.key), ...varying.map(([, read]) => rows.map(read))];
  const columns = ['object_key', ...varying.map(([name]) => name)].map(e);
  const fixed = same.map(([name], i) => ({
    escapedColumn: e(name),
    sql: dialect.placeholder(arrays.length + i + 1),
  }));
  const clock = { escapedColumn: e('at_ms'), sql: dialect.nowMsSql };
  const text = columns.map(() => 'text');
  const sql = dialect.typedArrays!.insertSql(e(SYNCHRO_TABLES.log), columns, text, [clock, ...fixed]);
  await runner.query(sql, [...arrays, ...same.map(([, read]) => read(rows[0]!))]);
}

function sameForAll(rows: readonly LogRowInput[], read: (row: LogRowInput) => string): boolean {
  const value = read(rows[0]!);
  return rows.every((row) => read(row) === value);
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
