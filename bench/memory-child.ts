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
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let sampled = idle;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const started = Date.now();
  const result = await synchronize({ local, remote, listeners: false });
  const ms = Date.now() - started;
  clearInterval(timer);
  const maxAfter = process.resourceUsage().maxRSS * 1024;
  // maxRSS also counts start-up: it is the sync's peak only when the sync raised it.
  const peak = maxAfter > maxBefore ? Math.max(maxAfter, sampled) : sampled;
  await local.destroy();
  await remote.destroy();
  const out = {
    idle,
    peak,
    maxBefore,
    sampled,
    aboveIdle: Math.max(0, peak - idle),
    ms,
    status: result.status,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
