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
  if (dialect.insertTextArraysSql !== undefined && rows.length > 1) return writeAsArrays(runner, rows);
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

/** One statement whatever the row count: each column bound as one text array. */
async function writeAsArrays(runner: QueryRunner, rows: readonly LogRowInput[]): Promise<void> {
  const ds = dataSourceOf(runner);
  const dialect = dialectFor(ds);
  const e = (name: string) => ds.driver.escape(name);
  const columns = ['entity', 'object_key', 'action', 'natural_key'].map(e);
  const sql = dialect.insertTextArraysSql!(e(SYNCHRO_TABLES.log), columns, e('at_ms'), dialect.nowMsSql);
  const arrays = [
    rows.map((r) => r.entity),
    rows.map((r) => r.key),
    rows.map((r) => r.action),
    rows.map((r) => r.naturalKey ?? 'null'),
  ];
  await runner.query(sql, arrays);
}
