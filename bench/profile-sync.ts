import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { synchronize } from '../src/sync/synchronizer';
import type { TestDialect } from '../test/support/dialects';
import { freshDb, type BenchDb } from './bench-databases';
import { datasetOf, generateInsertLog, generateRows, refreshStatistics } from './data-generator';
import { rawFloorCopy } from './raw-floor';
import { round, timed } from './timing';

/**
 * Where a sync spends its time: every statement the drivers run, grouped by its shape (placeholders,
 * numbers and IN-lists folded), with its count and total time, beside the raw floor on the same rows.
 * Not a benchmark (the patching costs time): a profile to decide what to make faster.
 *
 *   npx tsc -p bench/tsconfig.json && node node_modules/.cache/typeorm-synchro-bench/bench/profile-sync.js sqlite postgres 20000
 *
 * `CPU_PROFILE=<file>` also writes a V8 CPU profile of the sync alone (open it in Chrome's DevTools);
 * `NO_PATCH=1` leaves the drivers unpatched, so the profile shows the engine without the timing wrappers.
 */
interface Stat {
  count: number;
  ms: number;
}

const stats = new Map<string, Stat>();

function shapeOf(sql: string): string {
  return sql
    .replace(
      /\(\s*(\$\d+|\?)(\s*,\s*(\$\d+|\?))*\s*\)(\s*,\s*\(\s*(\$\d+|\?)(\s*,\s*(\$\d+|\?))*\s*\))*/g,
      '(…)',
    )
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+\b/g, 'N')
    .slice(0, 150);
}

function patchRunner(proto: { query: (...args: unknown[]) => Promise<unknown> }, side: string): void {
  const original = proto.query;
  proto.query = async function query(this: unknown, ...args: unknown[]) {
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      const key = `${side} ${shapeOf(String(args[0]))}`;
      const stat = stats.get(key) ?? { count: 0, ms: 0 };
      stat.count += 1;
      stat.ms += performance.now() - start;
      stats.set(key, stat);
    }
  };
}

function patchAll(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  patchRunner(require('typeorm/driver/postgres/PostgresQueryRunner').PostgresQueryRunner.prototype, 'pg');
  patchRunner(require('typeorm/driver/mysql/MysqlQueryRunner').MysqlQueryRunner.prototype, 'my');
  patchRunner(
    require('typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner').BetterSqlite3QueryRunner.prototype,
    'lite',
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Runs `fn` under V8's CPU profiler when `file` is given, and writes the profile there. */
async function profiled<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (file === undefined) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const [source, target, n] = process.argv.slice(2) as [TestDialect, TestDialect, string];
  const items = Number(n ?? 20_000);
  const local: BenchDb = await freshDb(source);
  const size = datasetOf(items);
  await generateRows(local.ds, source, size);
  await generateInsertLog(local.ds, source, size);
  await refreshStatistics(local.ds, source);
  const floorDb = await freshDb(target);
  const floor = await timed(() => rawFloorCopy(local.ds, floorDb.ds));
  await floorDb.close();
  const remote = await freshDb(target);
  if (process.env.NO_PATCH === undefined) patchAll();
  // BATCH=n sets the batch size; unset, the library's default applies.
  const batchSize = process.env.BATCH === undefined ? undefined : Number(process.env.BATCH);
  const sync = await profiled(process.env.CPU_PROFILE, () =>
    timed(() => synchronize({ local: local.ds, remote: remote.ds, batchSize })),
  );
  await remote.close();
  await local.close();
  let queryMs = 0;
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [, s] of rows) queryMs += s.ms;
  console.log(`floor ${round(floor, 0)} ms, sync ${round(sync, 0)} ms (ratio ${round(sync / floor)})`);
  console.log(`in queries ${round(queryMs, 0)} ms, outside ${round(sync - queryMs, 0)} ms`);
  for (const [shape, s] of rows.slice(0, 30))
    console.log(`${String(round(s.ms, 0)).padStart(7)} ms ${String(s.count).padStart(6)}x  ${shape}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
