import type { DataSource } from 'typeorm';
import { readNodeId } from '../../../src/store/node-identity';
import { synchronize } from '../../../src/sync/synchronizer';
import type { DialectPair } from '../../support/describe-dialects';
import { forgetDelivery, populate, runChildSync, seededRandom } from './crash-harness';
import { cursorOf, duplicatesOf, idMapProblems, logEndOf } from './delivery-checks';
import { contentOf } from './model-entities';
import { openReliabilityPair } from './model-suite';

/** Sizes of a crash run. */
export interface CrashSize {
  /** Objects per entity in the local database. */
  rows: number;
  /** Kills that must land inside a run, per pair (split between the commit modes, 'run' first). */
  killsPerPair: number;
  seed: number;
}

/** What a crash run did. */
export interface CrashCounts {
  pair: string;
  seed: number;
  uninterruptedMs: number;
  kills: Record<'run' | 'batch', { interrupted: number; finishedFirst: number }>;
  failures: string[];
}

/** Multiset inclusion of sorted content lines. */
function missingFrom(expected: readonly string[], actual: readonly string[]): string[] {
  const left = [...expected];
  const extra: string[] = [];
  for (const line of actual) {
    const i = left.indexOf(line);
    if (i < 0) extra.push(line);
    else left.splice(i, 1);
  }
  return extra;
}

/** Registers the crash tests of one pair: SIGKILLed child syncs, then clean re-runs. */
export function crashSuite(pair: DialectPair, size: CrashSize, report?: (c: CrashCounts) => void): void {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  let expected: string[];
  let uninterruptedMs = 0;
  const counts: CrashCounts = {
    pair: `${pair.source}->${pair.target}`,
    seed: size.seed,
    uninterruptedMs: 0,
    kills: {
      run: { interrupted: 0, finishedFirst: 0 },
      batch: { interrupted: 0, finishedFirst: 0 },
    },
    failures: [],
  };
  const random = seededRandom(size.seed);

  beforeAll(async () => {
    db = await openReliabilityPair(pair);
    await populate(db.ds.A, size.rows);
    expected = await contentOf(db.ds.A);
  });
  afterAll(async () => {
    report?.(counts);
    await db?.close();
  });

  async function expectDelivered(local: DataSource, remote: DataSource): Promise<void> {
    expect(await contentOf(remote)).toEqual(expected);
    expect(await duplicatesOf(remote)).toEqual([]);
    expect(await idMapProblems(local, remote, true)).toEqual([]);
    const end = await logEndOf(local);
    expect(await cursorOf(remote, (await readNodeId(local)) as string, 'in')).toBe(end);
    expect(await cursorOf(local, (await readNodeId(remote)) as string, 'out')).toBe(end);
  }

  it('an uninterrupted run delivers everything (the reference)', async () => {
    const started = Date.now();
    await synchronize({ local: db.ds.A, remote: db.ds.B, batchSize: 25 });
    uninterruptedMs = counts.uninterruptedMs = Date.now() - started;
    await expectDelivered(db.ds.A, db.ds.B);
  });

  for (const commit of ['run', 'batch'] as const) {
    it(`commit '${commit}': killed at random moments, a clean re-run equals the uninterrupted run`, async () => {
      const tally = counts.kills[commit];
      const failures: string[] = [];
      const quota = commit === 'run' ? Math.ceil(size.killsPerPair / 2) : Math.floor(size.killsPerPair / 2);
      for (let attempt = 0; tally.interrupted < quota && attempt < quota * 3; attempt++) {
        await forgetDelivery(db.ds.A, db.ds.B);
        const killAfter = Math.floor(random() * uninterruptedMs * 0.9);
        const child = await runChildSync(db.options.A, db.options.B, commit, 25, killAfter);
        if (child.interrupted) tally.interrupted++;
        else tally.finishedFirst++;
        try {
          await expectConsistentAfterKill(commit);
          const result = await rerun(commit);
          expect(result.skipped).toEqual([]);
          await expectDelivered(db.ds.A, db.ds.B);
        } catch (error) {
          // Keep going, so a soak reports every miss with the moment of its kill.
          failures.push(`kill ${attempt} after ${killAfter} ms (seed ${size.seed}): ${String(error)}`);
          counts.failures.push(failures[failures.length - 1] as string);
        }
      }
      expect(failures).toEqual([]);
      expect(tally.interrupted).toBeGreaterThanOrEqual(quota);
    }, 900_000);
  }

  /** The remote as after its last committed transaction: a prefix of the delivery, never a torn one. */
  async function expectConsistentAfterKill(commit: 'run' | 'batch'): Promise<void> {
    const { A, B } = db.ds;
    const remote = await contentOf(B);
    expect(await duplicatesOf(B)).toEqual([]);
    expect(missingFrom(expected, remote)).toEqual([]);
    expect(await idMapProblems(A, B, false)).toEqual([]);
    const inCursor = await cursorOf(B, (await readNodeId(A)) as string, 'in');
    const outCursor = await cursorOf(A, (await readNodeId(B)) as string, 'out');
    if (inCursor === undefined) expect(remote).toEqual([]);
    if (commit === 'run') expect([[], expected]).toContainEqual(remote);
    if (commit === 'run' && remote.length > 0) expect(inCursor).toBe(await logEndOf(A));
    // The local mirror may lag the remote's cursor, never lead it.
    if (outCursor !== undefined) expect(BigInt(outCursor)).toBeLessThanOrEqual(BigInt(inCursor ?? '0'));
  }

  /**
   * The clean re-run, at once and with a short lock timeout: a killed run into SQLite leaves its lease
   * row, which the re-run takes over because the killed process is gone (a refusal fails the test).
   */
  function rerun(commit: 'run' | 'batch') {
    return synchronize({ local: db.ds.A, remote: db.ds.B, commit, batchSize: 25, lockTimeoutMs: 500 });
  }
}
