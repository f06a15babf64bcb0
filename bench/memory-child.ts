import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { synchronize } from '../src/sync/synchronizer';
import { createTestDatabase } from '../test/support/test-database';
import { openBench } from './bench-databases';

/**
 * Runs in its own process: opens the two SQLite files, records the idle RSS, runs one sync and
 * prints peak RSS figures as JSON on stdout.
 */
async function main(): Promise<void> {
  const [localPath, remotePath] = process.argv.slice(2);
  const db = await createTestDatabase('sqlite');
  await db.drop();
  const open = (path: string) =>
    openBench({ ...db, options: { type: 'better-sqlite3', database: path } }, true, false);
  const local = await open(localPath as string);
  const remote = await open(remotePath as string);
  await local.query('SELECT 1');
  await remote.query('SELECT 1');
  (globalThis as { gc?: () => void }).gc?.();
  const idle = process.memoryUsage().rss;
  const heapIdle = getHeapStatistics().total_heap_size;
  // V8's committed heap at every page: how much of the peak is the JavaScript heap, the rest being C.
  let heapPeak = heapIdle;
  const onProgress = (): void => {
    heapPeak = Math.max(heapPeak, getHeapStatistics().total_heap_size);
  };
  const reset = resetPeak();
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let sampled = idle;
  // Only where the peak cannot be reset: a SQLite sync never yields to timers, so this sees little.
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const started = Date.now();
  const result = await synchronize({ local, remote, listeners: false, onProgress });
  const ms = Date.now() - started;
  clearInterval(timer);
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  const hwm = reset ? peakSinceReset() : undefined;
  // maxRSS also counts start-up: it is the sync's peak only when the sync raised it.
  const peak = hwm ?? (maxAfter > maxBefore ? Math.max(maxAfter, sampled) : sampled);
  await local.destroy();
  await remote.destroy();
  const out = {
    idle,
    peak,
    maxBefore,
    sampled,
    aboveIdle: Math.max(0, peak - idle),
    heapGrowth: Math.max(0, heapPeak - heapIdle),
    peakSource: hwm === undefined ? 'maxRSS' : 'VmHWM',
    ms,
    status: result.status,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Resets the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux 4.0+); false where it cannot. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The peak RSS since {@link resetPeak}, in bytes. */
function peakSinceReset(): number | undefined {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
