import { loadavg } from 'node:os';
import { synchronize } from '../src/sync/synchronizer';
import type { TestDialect } from '../test/support/dialects';
import { freshDb, type BenchDb } from './bench-databases';
import { datasetOf, generateInsertLog, generateRows, refreshStatistics } from './data-generator';
import { naiveSync } from './naive-loop';
import { rawFloorCopy } from './raw-floor';
import { alternatingRounds, median, note, round, timed } from './timing';

/** One pair's sync throughput figures. */
export interface ThroughputResult {
  objects: number;
  objects_per_s: number;
  vs_raw_floor: number;
  vs_naive: number;
  listeners_objects_per_s: number;
  listeners_vs_raw_floor: number;
  sync_ms: number;
  listeners_sync_ms: number;
  raw_floor_ms: number;
  raw_floor_rows: number;
  naive_objects: number;
  naive_ms: number;
  naive_objects_per_s: number;
  engine_on_naive_set_ms: number;
  engine_on_naive_set_objects_per_s: number;
  /** Rounds of floor, engine and engine with listeners, alternating; the figures above are medians. */
  rounds: number;
  /** Each round's times, in round order (the spread behind the medians). */
  raw_floor_ms_runs: number[];
  sync_ms_runs: number[];
  listeners_sync_ms_runs: number[];
  /** 1-minute load average when the pair started (the machine is shared; ratios are same-run). */
  loadavg_1m: number;
}

/** Runs `fn` against a fresh `dialect` database, dropped afterwards. */
async function withFresh<T>(dialect: TestDialect, fn: (db: BenchDb) => Promise<T>): Promise<T> {
  const db = await freshDb(dialect);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function localWith(dialect: TestDialect, items: number): Promise<BenchDb> {
  const local = await freshDb(dialect);
  const size = datasetOf(items);
  await generateRows(local.ds, dialect, size);
  await generateInsertLog(local.ds, dialect, size);
  await refreshStatistics(local.ds, dialect);
  return local;
}

async function engineRun(local: BenchDb, target: TestDialect, listeners: boolean): Promise<number> {
  return withFresh(target, async (remote) => {
    let status = '';
    const ms = await timed(async () => {
      status = (await synchronize({ local: local.ds, remote: remote.ds, listeners })).status;
    });
    if (status !== 'synced') throw new Error(`engine run ended ${status}`);
    return ms;
  });
}

/** Objects in the warm-up set (its own local and remotes, not timed). */
const WARM_ITEMS = 1_000;

/**
 * Runs the engine and the naive loop once each on a small set of their own, untimed: the first run in a
 * process pays for compiling its code paths and opening the drivers' first connections, and the engine
 * always ran first, so it alone paid (measured: 539 ms cold vs 396–463 ms warm for the engine on the
 * 10,000-object mysql->sqlite set).
 */
async function warmUp(source: TestDialect, target: TestDialect): Promise<void> {
  const warm = await localWith(source, WARM_ITEMS);
  try {
    await engineRun(warm, target, false);
    await withFresh(target, (remote) => naiveSync(warm.ds, remote.ds, WARM_ITEMS));
  } finally {
    await warm.close();
  }
}

/** Per-round times (ms) of the floor, the engine and the engine with listeners, in round order. */
interface RoundTimes {
  readonly floor: number[];
  readonly sync: number[];
  readonly listeners: number[];
  /** Rows the floor copied (the same every round). */
  readonly floorRows: number;
}

/** The times of `rounds` rounds of raw floor, engine, and engine with listeners, each on a fresh remote. */
async function alternatingRuns(local: BenchDb, target: TestDialect, rounds: number): Promise<RoundTimes> {
  let floorRows = 0;
  const floorRun = () =>
    withFresh(target, (remote) => timed(async () => (floorRows = await rawFloorCopy(local.ds, remote.ds))));
  const [floor = [], sync = [], listeners = []] = await alternatingRounds(
    [floorRun, () => engineRun(local, target, false), () => engineRun(local, target, true)],
    rounds,
  );
  return { floor, sync, listeners, floorRows };
}

/**
 * Sync throughput for one pair: the raw floor on `items` changed objects and the engine on the same
 * rows (listeners off and on), in `rounds` alternating rounds (medians reported, so that one slow
 * floor or engine run does not decide the ratio), and the naive loop vs the engine on the first
 * `naiveItems` objects.
 */
export async function throughputBench(
  source: TestDialect,
  target: TestDialect,
  items: number,
  naiveItems: number,
  rounds: number,
): Promise<ThroughputResult> {
  const pair = `${source}->${target}`;
  const load = round(loadavg()[0] ?? 0);
  note(`${pair}: warming up the engine and the naive loop on ${WARM_ITEMS} objects`);
  await warmUp(source, target);
  note(`${pair}: ${naiveItems} objects, engine vs naive loop`);
  const small = await localWith(source, naiveItems);
  let engineSmall = 0;
  let naive = 0;
  try {
    engineSmall = await engineRun(small, target, false);
    naive = await withFresh(target, (remote) => timed(() => naiveSync(small.ds, remote.ds, naiveItems)));
  } finally {
    await small.close();
  }
  note(`${pair}: ${items} objects, raw floor and engine, ${rounds} alternating rounds`);
  const local = await localWith(source, items);
  try {
    const runs = await alternatingRuns(local, target, rounds);
    const floor = median(runs.floor);
    const sync = median(runs.sync);
    const withListeners = median(runs.listeners);
    return {
      objects: items,
      objects_per_s: round(items / (sync / 1000), 0),
      vs_raw_floor: round(sync / floor),
      vs_naive: round(naive / engineSmall, 1),
      listeners_objects_per_s: round(items / (withListeners / 1000), 0),
      listeners_vs_raw_floor: round(withListeners / floor),
      sync_ms: round(sync, 0),
      listeners_sync_ms: round(withListeners, 0),
      raw_floor_ms: round(floor, 0),
      raw_floor_rows: runs.floorRows,
      naive_objects: naiveItems,
      naive_ms: round(naive, 0),
      naive_objects_per_s: round(naiveItems / (naive / 1000), 0),
      engine_on_naive_set_ms: round(engineSmall, 0),
      engine_on_naive_set_objects_per_s: round(naiveItems / (engineSmall / 1000), 0),
      rounds,
      raw_floor_ms_runs: runs.floor.map((ms) => round(ms, 0)),
      sync_ms_runs: runs.sync.map((ms) => round(ms, 0)),
      listeners_sync_ms_runs: runs.listeners.map((ms) => round(ms, 0)),
      loadavg_1m: load,
    };
  } finally {
    await local.close();
  }
}
