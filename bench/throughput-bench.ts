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
  /** Objects of the one larger engine run (listeners off) that checks how the cost grows. */
  growth_objects: number;
  growth_sync_ms: number;
  /**
   * Time per object of the larger run over the rounds' median time per object (no target; about 1
   * when the cost grows with the number of changes alone, above it when something grows faster).
   */
  growth_ratio: number;
}

/**
 * How many times `items` the growth run syncs: large enough that a per-batch cost growing with the
 * run's own size shows (a 300,000-object sqlite->postgres sync took 43.3 s against 13.3–22.3 s when
 * the PostgreSQL id-map lookups were a hash join over the whole map; at 100,000 objects the same
 * code measured within the spread of the rounds).
 */
const GROWTH_FACTOR = 3;

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
  let runs: RoundTimes;
  try {
    runs = await alternatingRuns(local, target, rounds);
  } finally {
    await local.close();
  }
  const growth = await growthRun(source, target, items * GROWTH_FACTOR);
  return resultOf({ items, naiveItems, rounds, runs, naive, engineSmall, growth, load });
}

/** What {@link resultOf} reports, as measured. */
interface Measured {
  items: number;
  naiveItems: number;
  rounds: number;
  runs: RoundTimes;
  naive: number;
  engineSmall: number;
  growth: number;
  load: number;
}

function resultOf(m: Measured): ThroughputResult {
  const { items, naiveItems, runs } = m;
  const floor = median(runs.floor);
  const sync = median(runs.sync);
  const withListeners = median(runs.listeners);
  return {
    objects: items,
    objects_per_s: round(items / (sync / 1000), 0),
    vs_raw_floor: round(sync / floor),
    vs_naive: round(m.naive / m.engineSmall, 1),
    listeners_objects_per_s: round(items / (withListeners / 1000), 0),
    listeners_vs_raw_floor: round(withListeners / floor),
    sync_ms: round(sync, 0),
    listeners_sync_ms: round(withListeners, 0),
    raw_floor_ms: round(floor, 0),
    raw_floor_rows: runs.floorRows,
    naive_objects: naiveItems,
    naive_ms: round(m.naive, 0),
    naive_objects_per_s: round(naiveItems / (m.naive / 1000), 0),
    engine_on_naive_set_ms: round(m.engineSmall, 0),
    engine_on_naive_set_objects_per_s: round(naiveItems / (m.engineSmall / 1000), 0),
    rounds: m.rounds,
    raw_floor_ms_runs: runs.floor.map((ms) => round(ms, 0)),
    sync_ms_runs: runs.sync.map((ms) => round(ms, 0)),
    listeners_sync_ms_runs: runs.listeners.map((ms) => round(ms, 0)),
    loadavg_1m: m.load,
    growth_objects: items * GROWTH_FACTOR,
    growth_sync_ms: round(m.growth, 0),
    growth_ratio: round(m.growth / (items * GROWTH_FACTOR) / (sync / items)),
  };
}

/** One engine run (listeners off) on `items` objects of a local of their own, after the rounds. */
async function growthRun(source: TestDialect, target: TestDialect, items: number): Promise<number> {
  note(`${source}->${target}: ${items} objects, one engine run (growth)`);
  const local = await localWith(source, items);
  try {
    return await engineRun(local, target, false);
  } finally {
    await local.close();
  }
}
