import type { DataSource } from 'typeorm';
import { writeLogRows } from '../src/capture/log-writer';
import { encodeKey } from '../src/core/entity-key';
import { dialectFor } from '../src/dialect/dialect-for';
import { ensureNodeId } from '../src/store/node-identity';
import { SYNCHRO_TABLES } from '../src/store/synchro-tables';
import { writeCursor } from '../src/sync/cursor-store';
import { synchronize } from '../src/sync/synchronizer';
import type { TestDialect } from '../test/support/dialects';
import { BENCH_TABLES } from './bench-entities';
import { freshDb, GEN_SQL, type BenchDb } from './bench-databases';
import {
  datasetOf,
  generateHistoricLog,
  generateRows,
  maxLogId,
  refreshStatistics,
  type DatasetSize,
} from './data-generator';
import { alternatingRounds, median, note, round, timed } from './timing';

/** Untimed change syncs on each scale pair before the timed ones (see {@link changeRuns}). */
const WARM_UP_RUNS = 3;

/** Sizes of the scale and idle scenarios. */
export interface ScaleSizes {
  changes: number;
  smallTable: number;
  bigTable: number;
  deliveredLog: number;
  runs: number;
  idleRuns: number;
}

/** Scale and idle figures (medians). */
export interface ScaleResult {
  scale: {
    table_size_ratio: number;
    log_size_ratio: number;
    pair: string;
    changes: number;
    small_table_ms: number;
    big_table_ms: number;
    delivered_log_ms: number;
    small_table_rows: number;
    big_table_rows: number;
    delivered_log_rows: number;
    runs: number;
  };
  idle: {
    idle_ratio: number;
    pair: string;
    empty_log_ms: number;
    delivered_log_ms: number;
    delivered_log_rows: number;
    runs: number;
  };
}

interface Synced {
  local: BenchDb;
  remote: BenchDb;
  localNode: string;
  remoteNode: string;
  size: DatasetSize;
  round: number;
}

/** Writes id-map rows `key(n) ↔ key(n)` for ids 1..count of `entity` on one side. */
async function mapRows(ds: DataSource, dialect: TestDialect, peer: string, entity: string, count: number) {
  const g = GEN_SQL[dialect];
  const e = (n: string) => ds.driver.escape(n);
  const key = g.concat(`'{"id":"'`, 'n', `'"}'`);
  const head = `INSERT INTO ${e(SYNCHRO_TABLES.idMap)} (${['peer', 'entity', 'local_key', 'peer_key'].map(e).join(', ')})`;
  await ds.query(g.insertFromSeries(head, `SELECT '${peer}', '${entity}', ${key}, ${key}`, 1, count));
}

/**
 * Two databases in the state completed syncs in both directions leave: the same rows on both sides,
 * id-map pairs on both (so a sync reads both maps), node identities assigned, log empty.
 */
export async function syncedPair(source: TestDialect, target: TestDialect, rows: number): Promise<Synced> {
  const local = await freshDb(source);
  const remote = await freshDb(target);
  await synchronize({ local: local.ds, remote: remote.ds });
  const localNode = await ensureNodeId(local.ds);
  const remoteNode = await ensureNodeId(remote.ds);
  const size = datasetOf(rows);
  await generateRows(local.ds, source, size);
  await generateRows(remote.ds, target, size);
  const counts: [string, number][] = [
    [BENCH_TABLES.parent, size.parents],
    [BENCH_TABLES.tag, size.tags],
    [BENCH_TABLES.item, size.items],
  ];
  for (const [entity, count] of counts) {
    await mapRows(remote.ds, target, localNode, entity, count);
    await mapRows(local.ds, source, remoteNode, entity, count);
  }
  await refreshStatistics(local.ds, source);
  await refreshStatistics(remote.ds, target);
  return { local, remote, localNode, remoteNode, size, round: 0 };
}

/** Changes `count` items spread over the table (an UPDATE, and its log rows written as the capture writes them). */
export async function changeItems(pair: Synced, count: number): Promise<void> {
  const ds = pair.local.ds;
  const e = (n: string) => ds.driver.escape(n);
  const step = Math.max(1, Math.floor(pair.size.items / count));
  pair.round += 1;
  const ids = Array.from({ length: count }, (_, j) => 1 + ((j * step + pair.round) % pair.size.items));
  const p = dialectFor(ds).placeholder;
  await ds.query(
    `UPDATE ${e(BENCH_TABLES.item)} SET ${e('qty')} = ${e('qty')} + 1 WHERE ${e('id')} IN (${ids.map((_, i) => p(i + 1)).join(', ')})`,
    ids,
  );
  const runner = ds.createQueryRunner();
  try {
    await writeLogRows(
      runner,
      ids.map((id) => ({ entity: BENCH_TABLES.item, key: encodeKey({ id }), action: 'update' as const })),
    );
  } finally {
    await runner.release();
  }
}

async function syncOnce(pair: Synced, expect: 'synced' | 'no-changes'): Promise<number> {
  let status = '';
  const ms = await timed(async () => {
    status = (await synchronize({ local: pair.local.ds, remote: pair.remote.ds, listeners: false })).status;
  });
  if (status !== expect) throw new Error(`sync ended ${status}, expected ${expect}`);
  return ms;
}

async function idleRuns(pair: Synced, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await syncOnce(pair, 'no-changes'));
  return median(times);
}

/** Adds `count` historic log rows and marks everything delivered (remote 'in', local 'out' cursors). */
async function deliveredLog(pair: Synced, source: TestDialect, count: number): Promise<void> {
  await generateHistoricLog(pair.local.ds, source, count, pair.size.items);
  const max = await maxLogId(pair.local.ds);
  await writeCursor(pair.remote.ds, pair.localNode, 'in', max);
  await writeCursor(pair.local.ds, pair.remoteNode, 'out', max);
  await refreshStatistics(pair.local.ds, source);
}

/**
 * Scale: `changes` changed items synced when the table holds `smallTable` vs `bigTable` rows, and with
 * `deliveredLog` already-delivered log rows vs none. Idle: a no-change sync with vs without them.
 */
export async function scaleBench(
  source: TestDialect,
  target: TestDialect,
  sizes: ScaleSizes,
): Promise<ScaleResult> {
  const pairName = `${source}->${target}`;
  note(`scale ${pairName}: ${sizes.smallTable} and ${sizes.bigTable} rows, empty log`);
  const small = await syncedPair(source, target, sizes.smallTable);
  const big = await syncedPair(source, target, sizes.bigTable);
  try {
    const idleEmpty = await idleRuns(small, sizes.idleRuns);
    // The same no-change syncs on the big pair (untimed), then change syncs on both, alternating.
    await idleRuns(big, sizes.idleRuns);
    const [smallMs = 0, bigMs = 0] = await changeRuns([small, big], sizes, WARM_UP_RUNS);
    note(`scale ${pairName}: ${sizes.deliveredLog} delivered log rows`);
    await deliveredLog(small, source, sizes.deliveredLog);
    const idleFull = await idleRuns(small, sizes.idleRuns);
    const [logMs = 0] = await changeRuns([small], sizes, 0);
    return resultOf(pairName, sizes, { smallMs, bigMs, logMs, idleEmpty, idleFull });
  } finally {
    for (const pair of [small, big]) {
      await pair.local.close();
      await pair.remote.close();
    }
  }
}

/**
 * The median change-sync time of each pair: `warmUp` untimed rounds, then `sizes.runs` timed ones, the
 * pairs taking turns in every round. Every sync path gets faster over its first runs, so timing one
 * pair's runs before another's would favour whichever comes second.
 */
async function changeRuns(pairs: readonly Synced[], sizes: ScaleSizes, warmUp: number): Promise<number[]> {
  const runs = pairs.map((pair) => async () => {
    await changeItems(pair, sizes.changes);
    return syncOnce(pair, 'synced');
  });
  return (await alternatingRounds(runs, sizes.runs, warmUp)).map(median);
}

interface ScaleTimes {
  smallMs: number;
  bigMs: number;
  logMs: number;
  idleEmpty: number;
  idleFull: number;
}

function resultOf(pairName: string, sizes: ScaleSizes, t: ScaleTimes): ScaleResult {
  const { smallMs, bigMs, logMs, idleEmpty, idleFull } = t;
  return {
    scale: {
      table_size_ratio: round(bigMs / smallMs),
      log_size_ratio: round(logMs / smallMs),
      pair: pairName,
      changes: sizes.changes,
      small_table_ms: round(smallMs, 1),
      big_table_ms: round(bigMs, 1),
      delivered_log_ms: round(logMs, 1),
      small_table_rows: sizes.smallTable,
      big_table_rows: sizes.bigTable,
      delivered_log_rows: sizes.deliveredLog,
      runs: sizes.runs,
    },
    idle: {
      idle_ratio: round(idleFull / idleEmpty),
      pair: pairName,
      empty_log_ms: round(idleEmpty, 1),
      delivered_log_ms: round(idleFull, 1),
      delivered_log_rows: sizes.deliveredLog,
      runs: sizes.idleRuns,
    },
  };
}
