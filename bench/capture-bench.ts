import type { DataSource } from 'typeorm';
import { keyTemplate } from '../src/capture/log-select';
import { keyOfRawRow } from '../src/core/entity-key';
import { dialectFor } from '../src/dialect/dialect-for';
import { SYNCHRO_TABLES } from '../src/store/synchro-tables';
import type { TestDialect } from '../test/support/dialects';
import { createTestDatabase } from '../test/support/test-database';
import { BENCH_TABLES, BenchRecord } from './bench-entities';
import { GEN_SQL, openBench } from './bench-databases';
import { alternatingRounds, median, note, round, timed } from './timing';

/** Workload sizes of the capture benchmark. */
export interface CaptureSizes {
  /** `single_save`: this many single-entity saves. */
  singleSaves: number;
  /** `bulk_save`: one save of this many entities. */
  bulkSave: number;
  /** `bulk_update`: this many `update` calls, each touching 10 rows. */
  updates: number;
  /** Rounds per workload and variant (alternating, medians reported). */
  rounds: number;
}

type Workload = 'single_save' | 'bulk_save' | 'bulk_update';

/** Per workload: with / without the subscriber (median times) and the ratio. */
export type CaptureResult = Record<Workload, number> & {
  ms: Record<Workload, { with: number; without: number }>;
  log_rows: Record<Workload, number>;
  /** Reference, not a target (MySQL/MariaDB): `bulk_update` logged by a trigger instead (see below). */
  bulk_update_trigger?: number;
  bulk_update_trigger_ms?: number;
};

/** The databases whose `bulk_update` also runs with the trigger reference. */
const TRIGGER_REFERENCE = new Set<TestDialect>(['mysql']);
const TRIGGER = 'bench_synchro_log_update';

function record(i: number): BenchRecord {
  return Object.assign(new BenchRecord(), {
    code: `r-${i}`,
    bucket: Math.floor(i / 10),
    qty: i % 100,
    price: ((i % 1000) * 0.25).toFixed(2),
    happenedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60)),
  });
}

async function clear(ds: DataSource): Promise<void> {
  const e = (n: string) => ds.driver.escape(n);
  await ds.query(`DELETE FROM ${e(BENCH_TABLES.record)}`);
  await ds.query(`DELETE FROM ${e(SYNCHRO_TABLES.log)}`);
}

async function logCount(ds: DataSource): Promise<number> {
  const rows = (await ds.query(`SELECT COUNT(*) AS n FROM ${ds.driver.escape(SYNCHRO_TABLES.log)}`)) as {
    n: unknown;
  }[];
  return Number(rows[0]?.n ?? 0);
}

/** Fills the table with `updates * 10` rows, ten per bucket (database-side, not timed). */
async function seedBuckets(ds: DataSource, dialect: TestDialect, updates: number): Promise<void> {
  const g = GEN_SQL[dialect];
  const e = (n: string) => ds.driver.escape(n);
  const head = `INSERT INTO ${e(BENCH_TABLES.record)} (${['code', 'bucket', 'qty', 'price', 'happenedAt'].map(e).join(', ')})`;
  const select = `SELECT ${g.concat("'r-'", 'n')}, ${g.div('n', '10')}, (n % 100), ((n % 1000) * 0.25), ${g.timestamp('n % 60')}`;
  await ds.query(g.insertFromSeries(head, select, 0, updates * 10 - 1));
}

const WORKLOADS: Record<Workload, (ds: DataSource, sizes: CaptureSizes) => Promise<unknown>> = {
  single_save: async (ds, sizes) => {
    const repo = ds.getRepository(BenchRecord);
    for (let i = 0; i < sizes.singleSaves; i++) await repo.save(record(i));
  },
  bulk_save: (ds, sizes) =>
    ds.getRepository(BenchRecord).save(Array.from({ length: sizes.bulkSave }, (_, i) => record(i))),
  bulk_update: async (ds, sizes) => {
    const repo = ds.getRepository(BenchRecord);
    for (let b = 0; b < sizes.updates; b++) await repo.update({ bucket: b }, { qty: 1000 + b });
  },
};

async function measure(
  ds: DataSource,
  dialect: TestDialect,
  workload: Workload,
  sizes: CaptureSizes,
): Promise<{ ms: number; logRows: number }> {
  await clear(ds);
  if (workload === 'bulk_update') await seedBuckets(ds, dialect, sizes.updates);
  const before = await logCount(ds);
  const ms = await timed(() => WORKLOADS[workload](ds, sizes));
  return { ms, logRows: (await logCount(ds)) - before };
}

/**
 * An AFTER UPDATE trigger writing, in the UPDATE itself, the log row the subscriber writes for the
 * same update of `bench_record`: its entity name, key text (the library's own key SQL), action and
 * server clock, unless the session opted out. Not a capture mode of the library: the measured cost of the alternative that a
 * database without `UPDATE … RETURNING` leaves (docs/performance.md, "Open decisions").
 */
function createTriggerSql(ds: DataSource): string {
  const e = (n: string) => ds.driver.escape(n);
  const dialect = dialectFor(ds);
  const metadata = ds.getMetadata(BenchRecord);
  const parts = keyTemplate(metadata)
    .filter((part) => part !== '')
    .map((part) => {
      if (typeof part === 'string') return literal(part);
      const column = metadata.primaryColumns[part]!;
      const text = dialect.keyTextSql?.(column, `NEW.${e(column.databaseName)}`, ds);
      if (text === undefined) throw new Error(`no key SQL for ${column.propertyPath} in the trigger`);
      return text;
    });
  if (dialect.concatSql === undefined) throw new Error('no key SQL for the trigger');
  const key = dialect.concatSql(parts);
  const columns = ['entity', 'object_key', 'action', 'natural_key', 'at_ms'].map(e).join(', ');
  const values = [literal('BenchRecord'), key, literal('update'), literal('null'), dialect.nowMsSql];
  // A trigger capture must let writes made in runInNoLogContext (and the synchronizer's) go unlogged:
  // a session variable is the way a trigger can tell, so the reference pays for testing one.
  const log = `INSERT INTO ${e(SYNCHRO_TABLES.log)} (${columns}) SELECT ${values.join(', ')} FROM DUAL WHERE @synchro_no_log IS NULL`;
  return `CREATE TRIGGER ${e(TRIGGER)} AFTER UPDATE ON ${e(BENCH_TABLES.record)} FOR EACH ROW ${log}`;
}

/** A constant of this file as an SQL string literal (DDL takes no bound parameters). */
function literal(text: string): string {
  if (/['\\]/.test(text)) throw new Error(`not a plain constant: ${text}`);
  return `'${text}'`;
}

/** Runs `fn` while the reference trigger exists on the table. */
async function withTrigger<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  await ds.query(createTriggerSql(ds));
  try {
    return await fn();
  } finally {
    await ds.query(`DROP TRIGGER ${ds.driver.escape(TRIGGER)}`);
  }
}

/**
 * Whether the bench's database user may create the trigger (MySQL needs the `TRIGGER` privilege, and
 * with binary logging `SUPER` or `log_bin_trust_function_creators`). Without it the reference is left
 * out with a note: it is not a target, and the rest of the run still measures what it should.
 */
async function mayCreateTrigger(ds: DataSource): Promise<boolean> {
  try {
    await withTrigger(ds, async () => undefined);
    return true;
  } catch (error) {
    note(`capture: no trigger reference, CREATE TRIGGER failed: ${(error as Error).message}`);
    return false;
  }
}

/** Logged keys that are not the encoded key of a `bench_record` row (both logs must have none). */
async function strangeKeys(ds: DataSource): Promise<number> {
  const e = (n: string) => ds.driver.escape(n);
  const metadata = ds.getMetadata(BenchRecord);
  const columns = metadata.primaryColumns.map((c) => e(c.databaseName)).join(', ');
  const rows = (await ds.query(`SELECT ${columns} FROM ${e(BENCH_TABLES.record)}`)) as Record<
    string,
    unknown
  >[];
  const keys = new Set(rows.map((r) => keyOfRawRow(metadata, r)));
  const logged = (await ds.query(`SELECT ${e('object_key')} AS k FROM ${e(SYNCHRO_TABLES.log)}`)) as {
    k: string;
  }[];
  return logged.filter((r) => !keys.has(r.k)).length;
}

/**
 * Capture overhead on one database: the same workloads through a DataSource without and with the
 * SynchroSubscriber, on the same database, alternating rounds; ratio = median with / median without.
 */
export async function captureBench(dialect: TestDialect, sizes: CaptureSizes): Promise<CaptureResult> {
  const db = await createTestDatabase(dialect);
  const plain = await openBench(db, false);
  const logging = await openBench(db, true, false);
  try {
    const out = { ms: {}, log_rows: {} } as CaptureResult;
    for (const workload of Object.keys(WORKLOADS) as Workload[]) {
      note(`capture ${dialect}: ${workload}`);
      let logRows = 0;
      let strange = 0;
      const runs = [
        async () => (await measure(plain, dialect, workload, sizes)).ms,
        async () => {
          const run = await measure(logging, dialect, workload, sizes);
          logRows = run.logRows;
          strange += await strangeKeys(logging);
          return run.ms;
        },
      ];
      const reference =
        workload === 'bulk_update' && TRIGGER_REFERENCE.has(dialect) && (await mayCreateTrigger(plain));
      if (reference)
        runs.push(async () => {
          const run = await withTrigger(plain, () => measure(plain, dialect, 'bulk_update', sizes));
          if (run.logRows !== logRows) throw new Error(`trigger logged ${run.logRows} rows, not ${logRows}`);
          strange += await strangeKeys(plain);
          return run.ms;
        });
      const [without = [], withSub = [], trigger = []] = await alternatingRounds(runs, sizes.rounds);
      if (strange > 0) throw new Error(`${strange} logged keys name no row of ${BENCH_TABLES.record}`);
      out[workload] = round(median(withSub) / median(without));
      out.ms[workload] = { with: round(median(withSub), 1), without: round(median(without), 1) };
      out.log_rows[workload] = logRows;
      if (reference) {
        out.bulk_update_trigger = round(median(trigger) / median(without));
        out.bulk_update_trigger_ms = round(median(trigger), 1);
      }
    }
    return out;
  } finally {
    await plain.destroy();
    await logging.destroy();
    await db.drop();
  }
}
