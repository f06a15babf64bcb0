import type { DataSource } from 'typeorm';
import type { TestDialect } from '../test/support/dialects';
import { SYNCHRO_TABLES } from '../src/store/synchro-tables';
import { BENCH_TABLES } from './bench-entities';
import { GEN_SQL, resetAutoIncrement, type GenSql } from './bench-databases';

/** The size of a generated data set: items 1..items, each with a parent and two tags. */
export interface DatasetSize {
  readonly items: number;
  readonly parents: number;
  readonly tags: number;
}

/** The usual shape: one parent per 100 items, as many tags (at least 50). */
export function datasetOf(items: number): DatasetSize {
  return { items, parents: Math.max(1, Math.ceil(items / 100)), tags: Math.max(50, Math.ceil(items / 100)) };
}

function e(ds: DataSource, name: string): string {
  return ds.driver.escape(name);
}

function head(ds: DataSource, table: string, columns: string[]): string {
  return `INSERT INTO ${e(ds, table)} (${columns.map((c) => e(ds, c)).join(', ')})`;
}

/** Item values as SQL expressions of the series value `n` (the same on every database). */
function itemSelect(g: GenSql, parents: number): string {
  return [
    'n',
    g.concat("'item-'", 'n'),
    '(n % 1000)',
    '((n % 10000) * 0.25)',
    '(n % 2 = 0)',
    g.timestamp('n'),
    g.concat(`'{"n":'`, 'n', `',"kind":"bench"}'`),
    `CASE WHEN n % 3 = 0 THEN NULL ELSE ${g.concat("'note '", 'n')} END`,
    `((n - 1) % ${parents}) + 1`,
  ].join(', ');
}

const ITEM_COLUMNS = ['id', 'code', 'qty', 'price', 'active', 'happenedAt', 'data', 'note', 'parentId'];

/**
 * Inserts parents, tags, items `from..to` and their join rows with database-side series (no row
 * travels through Node). Parents and tags are inserted only when `from === 1`.
 */
export async function generateRows(
  ds: DataSource,
  dialect: TestDialect,
  size: DatasetSize,
  from = 1,
): Promise<void> {
  const g = GEN_SQL[dialect];
  const run = (sql: string) => ds.query(sql);
  if (from === 1) {
    await run(
      g.insertFromSeries(
        head(ds, BENCH_TABLES.parent, ['id', 'name']),
        `SELECT n, ${g.concat("'parent-'", 'n')}`,
        1,
        size.parents,
      ),
    );
    await run(
      g.insertFromSeries(
        head(ds, BENCH_TABLES.tag, ['id', 'label']),
        `SELECT n, ${g.concat("'tag-'", 'n')}`,
        1,
        size.tags,
      ),
    );
  }
  for (const [lo, hi] of slices(from, size.items, 250_000)) {
    await run(
      g.insertFromSeries(
        head(ds, BENCH_TABLES.item, ITEM_COLUMNS),
        `SELECT ${itemSelect(g, size.parents)}`,
        lo,
        hi,
      ),
    );
    const join = head(ds, BENCH_TABLES.join, ['benchItemId', 'benchTagId']);
    await run(g.insertFromSeries(join, `SELECT n, ((n - 1) % ${size.tags}) + 1`, lo, hi));
    await run(g.insertFromSeries(join, `SELECT n, (n % ${size.tags}) + 1`, lo, hi));
  }
  for (const table of [BENCH_TABLES.parent, BENCH_TABLES.tag, BENCH_TABLES.item])
    await resetAutoIncrement(ds, dialect, table);
}

function slices(from: number, to: number, step: number): [number, number][] {
  const out: [number, number][] = [];
  for (let lo = from; lo <= to; lo += step) out.push([lo, Math.min(to, lo + step - 1)]);
  return out;
}

function logHead(ds: DataSource): string {
  return head(ds, SYNCHRO_TABLES.log, ['entity', 'object_key', 'action', 'at_ms', 'natural_key']);
}

function keyExpr(g: GenSql, id: string): string {
  return g.concat(`'{"id":"'`, id, `'"}'`);
}

/**
 * Writes the log rows the subscriber would have written for those inserts: one `insert` per parent
 * and tag, then per item an `insert` and an `m2m` row (a save with tags logs both).
 */
export async function generateInsertLog(
  ds: DataSource,
  dialect: TestDialect,
  size: DatasetSize,
  from = 1,
): Promise<void> {
  const g = GEN_SQL[dialect];
  const select = (entity: string, id: string, action: string) =>
    `SELECT '${entity}', ${keyExpr(g, id)}, ${action}, ${g.nowMs}, 'null'`;
  if (from === 1) {
    await ds.query(
      g.insertFromSeries(logHead(ds), select(BENCH_TABLES.parent, 'n', "'insert'"), 1, size.parents),
    );
    await ds.query(g.insertFromSeries(logHead(ds), select(BENCH_TABLES.tag, 'n', "'insert'"), 1, size.tags));
  }
  const action = "CASE WHEN n % 2 = 1 THEN 'insert' ELSE 'm2m' END";
  for (const [lo, hi] of slices(2 * from - 1, 2 * size.items, 500_000)) {
    await ds.query(
      g.insertFromSeries(logHead(ds), select(BENCH_TABLES.item, g.div('n + 1', '2'), action), lo, hi),
    );
  }
}

/** `count` historic `update` log rows cycling over items 1..items (to be marked delivered). */
export async function generateHistoricLog(
  ds: DataSource,
  dialect: TestDialect,
  count: number,
  items: number,
): Promise<void> {
  const g = GEN_SQL[dialect];
  const select = `SELECT '${BENCH_TABLES.item}', ${keyExpr(g, `((n - 1) % ${items}) + 1`)}, 'update', ${g.nowMs}, 'null'`;
  for (const [lo, hi] of slices(1, count, 500_000))
    await ds.query(g.insertFromSeries(logHead(ds), select, lo, hi));
}

/**
 * Refreshes the planner statistics of the bench and library tables (and on PostgreSQL vacuums and
 * checkpoints), as autovacuum / InnoDB's persistent statistics would shortly after a bulk load: without them a table that went from 0 to
 * 1,000,000 rows a second ago is planned as if it were empty (measured: PostgreSQL chose a
 * sequential scan of a 300,000-row id map for an indexed 500-key lookup, 60 ms instead of 11 ms).
 */
export async function refreshStatistics(ds: DataSource, dialect: TestDialect): Promise<void> {
  const tables = [...Object.values(BENCH_TABLES), SYNCHRO_TABLES.log, SYNCHRO_TABLES.idMap];
  if (dialect === 'sqlite') return void (await ds.query('ANALYZE'));
  // PostgreSQL: VACUUM as autovacuum would (hint bits and visibility map set, so the first timed reads
  // do not write), then a checkpoint, so the load's dirty pages are not flushed during a timed sync.
  const verb = dialect === 'postgres' ? 'VACUUM (ANALYZE)' : 'ANALYZE TABLE';
  for (const table of tables) await ds.query(`${verb} ${e(ds, table)}`);
  if (dialect === 'postgres') await ds.query('CHECKPOINT');
}

/** The highest log id (or '0'). */
export async function maxLogId(ds: DataSource): Promise<string> {
  const rows = (await ds.query(`SELECT MAX(${e(ds, 'id')}) AS m FROM ${e(ds, SYNCHRO_TABLES.log)}`)) as {
    m: unknown;
  }[];
  return String(rows[0]?.m ?? '0');
}
