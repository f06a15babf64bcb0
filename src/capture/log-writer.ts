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

/**
 * Writes log rows through `runner`, so they commit or roll back with the change they describe:
 * one multi-row INSERT per chunk, chunked to the dialect's parameter limit.
 */
export async function writeLogRows(runner: QueryRunner, rows: readonly LogRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  const ds = dataSourceOf(runner);
  const dialect = dialectFor(ds);
  const e = (name: string) => ds.driver.escape(name);
  const head = `INSERT INTO ${e(SYNCHRO_TABLES.log)} (${e('entity')}, ${e('object_key')}, ${e('action')}, ${e('natural_key')}, ${e('at_ms')}) VALUES `;
  const perChunk = Math.max(1, Math.floor(dialect.maxParameters / PARAMS_PER_ROW));
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const values = chunk.map((_, i) => {
      const p = (j: number) => dialect.placeholder(i * PARAMS_PER_ROW + j);
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${dialect.nowMsSql})`;
    });
    const params = chunk.flatMap((r) => [r.entity, r.key, r.action, r.naturalKey ?? 'null']);
    await runner.query(head + values.join(', '), params);
  }
}
