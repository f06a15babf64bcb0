import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freshDb, type BenchDb } from './bench-databases';
import { datasetOf, generateInsertLog, generateRows, refreshStatistics } from './data-generator';
import { note, round } from './timing';

const run = promisify(execFile);

interface ChildFigures {
  idle: number;
  peak: number;
  aboveIdle: number;
  /** V8's committed heap: its largest size at a page boundary of the sync, minus its size at idle. */
  heapGrowth: number;
  ms: number;
  status: string;
  /** `VmHWM`: the kernel's peak mark, reset at idle (exact); `maxRSS`: the fallback elsewhere. */
  peakSource: string;
}

/** Memory figures: peak RSS above idle for a large vs a small sync (sqlite→sqlite, separate processes). */
export interface MemoryResult {
  rss_ratio: number;
  /**
   * Not a target: the large sync's peak above idle vs a middle one's (a tenth of its changes), where
   * the fixed-size buffers that the small sync never fills (SQLite's page caches, V8's young
   * generation) are full in both. Near 1 when memory stops growing with the number of changes.
   */
  large_vs_middle_ratio: number;
  pair: string;
  small_changes: number;
  middle_changes: number;
  large_changes: number;
  small_above_idle_mb: number;
  middle_above_idle_mb: number;
  large_above_idle_mb: number;
  /** How much of the figures above is V8's heap (seen at page boundaries); the rest is C memory. */
  small_heap_growth_mb: number;
  middle_heap_growth_mb: number;
  large_heap_growth_mb: number;
  small_idle_mb: number;
  large_idle_mb: number;
  small_sync_ms: number;
  middle_sync_ms: number;
  large_sync_ms: number;
  peak_source: string;
}

function childCommand(): { file: string; prefix: string[] } {
  const compiled = __filename.endsWith('.js');
  const script = join(__dirname, compiled ? 'memory-child.js' : 'memory-child.ts');
  return {
    file: script,
    prefix: compiled ? ['--expose-gc'] : ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
  };
}

async function measureChild(items: number): Promise<ChildFigures> {
  const local = await freshDb('sqlite');
  const remote = await freshDb('sqlite');
  try {
    const size = datasetOf(items);
    await generateRows(local.ds, 'sqlite', size);
    await generateInsertLog(local.ds, 'sqlite', size);
    await refreshStatistics(local.ds, 'sqlite');
    await local.ds.destroy();
    await remote.ds.destroy();
    note(`memory sqlite->sqlite: syncing ${items} changes in a child process`);
    const { file, prefix } = childCommand();
    const { stdout } = await run(process.execPath, [...prefix, file, pathOf(local), pathOf(remote)], {
      maxBuffer: 1 << 20,
      env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json') },
    });
    const figures = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildFigures;
    if (figures.status !== 'synced') throw new Error(`memory child sync ended ${figures.status}`);
    return figures;
  } finally {
    await local.close();
    await remote.close();
  }
}

function pathOf(db: BenchDb): string {
  return (db.db.options as { database: string }).database;
}

const MB = 1024 * 1024;

/** Runs the small, the middle (a tenth of the large) and the large sync each in a fresh child process. */
export async function memoryBench(small: number, large: number): Promise<MemoryResult> {
  const middle = large / 10;
  const a = await measureChild(small);
  const m = await measureChild(middle);
  const b = await measureChild(large);
  const sources = [...new Set([a, m, b].map((f) => f.peakSource))];
  return {
    rss_ratio: round(b.aboveIdle / a.aboveIdle),
    large_vs_middle_ratio: round(b.aboveIdle / m.aboveIdle),
    pair: 'sqlite->sqlite',
    small_changes: small,
    middle_changes: middle,
    large_changes: large,
    small_above_idle_mb: round(a.aboveIdle / MB, 1),
    middle_above_idle_mb: round(m.aboveIdle / MB, 1),
    large_above_idle_mb: round(b.aboveIdle / MB, 1),
    small_heap_growth_mb: round(a.heapGrowth / MB, 1),
    middle_heap_growth_mb: round(m.heapGrowth / MB, 1),
    large_heap_growth_mb: round(b.heapGrowth / MB, 1),
    small_idle_mb: round(a.idle / MB, 1),
    large_idle_mb: round(b.idle / MB, 1),
    small_sync_ms: a.ms,
    middle_sync_ms: m.ms,
    large_sync_ms: b.ms,
    peak_source: sources.join('/'),
  };
}
