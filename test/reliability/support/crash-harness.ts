import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { SYNCHRO_TABLES } from '../../../src/store/synchro-tables';
import { RELIABILITY_TABLES, RelChild, RelLink, RelParent, RelTag } from './model-entities';
import { RELIABILITY_TZ } from './tz';

/** Fills `ds` (logged) with `n` parents, `n` children, `n / 4` tags, `n` links and `2n` join rows. */
export async function populate(ds: DataSource, n: number): Promise<void> {
  const tags = await ds.getRepository(RelTag).save(
    Array.from({ length: Math.max(2, n / 4) }, (_, i) => ({ label: `t${i}`, color: `c${i}` })),
    { chunk: 200 },
  );
  const parents = await ds.getRepository(RelParent).save(
    Array.from({ length: n }, (_, i) => ({
      uid: `p${i}`,
      name: `parent ${i}`,
      memo: null,
      tags: [tags[i % tags.length] as RelTag, tags[(i + 1) % tags.length] as RelTag],
    })),
    { chunk: 200 },
  );
  await ds.getRepository(RelChild).save(
    Array.from({ length: n }, (_, i) => ({
      uid: `c${i}`,
      value: i,
      parent: i % 5 === 0 ? null : parents[i],
    })),
    { chunk: 200 },
  );
  await ds.getRepository(RelLink).save(
    Array.from({ length: n }, (_, i) => ({
      uid: `l${i}`,
      weight: i,
      parent: parents[(i * 7) % n] as RelParent,
      tag: tags[i % tags.length] as RelTag,
    })),
    { chunk: 200 },
  );
}

/**
 * Forgets every delivery from `local` to `remote`: the remote's rows and bookkeeping, the local mirror.
 * The local log and both node identities stay, so the next sync starts from scratch.
 */
export async function forgetDelivery(local: DataSource, remote: DataSource): Promise<void> {
  const e = (ds: DataSource, n: string) => ds.driver.escape(n);
  for (const table of RELIABILITY_TABLES) await remote.query(`DELETE FROM ${e(remote, table)}`);
  for (const table of [SYNCHRO_TABLES.idMap, SYNCHRO_TABLES.cursor, SYNCHRO_TABLES.retry]) {
    await remote.query(`DELETE FROM ${e(remote, table)}`);
    await local.query(`DELETE FROM ${e(local, table)}`);
  }
}

/** How a child run ended. */
export interface ChildRun {
  /** It was killed before it printed `done`. */
  interrupted: boolean;
  /** ms from `ready` to the end (kill or exit). */
  ranMs: number;
  stderr: string;
}

/**
 * Runs one sync in a child process; after it printed `ready`, kills it with SIGKILL after `killAfterMs`
 * (never when `undefined`).
 */
export function runChildSync(
  local: DataSourceOptions,
  remote: DataSourceOptions,
  commit: 'run' | 'batch',
  batchSize: number,
  killAfterMs: number | undefined,
): Promise<ChildRun> {
  const script = resolve(__dirname, 'crash-child.ts');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', script, JSON.stringify({ local, remote, commit, batchSize })],
    {
      env: {
        ...process.env,
        TZ: RELIABILITY_TZ,
        TS_NODE_PROJECT: resolve(__dirname, '../../../tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let readyAt = 0;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (readyAt === 0 && stdout.includes('ready\n')) {
        readyAt = Date.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const done = stdout.includes('done ');
      if (!done && signal !== 'SIGKILL') {
        reject(new Error(`child sync failed (exit ${code}): ${stderr}`));
        return;
      }
      resolvePromise({ interrupted: !done, ranMs: readyAt === 0 ? 0 : Date.now() - readyAt, stderr });
    });
  });
}

/** A small seeded PRNG (mulberry32), so the kill moments replay from the printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
