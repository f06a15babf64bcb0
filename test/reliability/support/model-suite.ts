import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { SynchroSubscriber } from '../../../src/capture/synchro-subscriber';
import { synchroEntities } from '../../../src/store/synchro-entities';
import type { DialectPair } from '../../support/describe-dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../support/test-database';
import { historyArbitrary, HistoryRunner, truncateAll, type Step } from './history';
import { RELIABILITY_ENTITIES } from './model-entities';

/** Sizes of one model-based run. */
export interface ModelRunSize {
  /** Histories per pair (fast-check `numRuns`). */
  histories: number;
  /** Steps per history, at most. */
  maxSteps: number;
  /** Stop starting new histories after this long (ms); `undefined`: run them all. */
  timeLimitMs?: number;
}

/** What a model-based run did, for the soak's report. */
export interface ModelRunCounts {
  pair: string;
  seed: number;
  histories: number;
  steps: number;
  syncs: number;
  noops: number;
  failure: string | undefined;
}

/** Two DataSources of the reliability entities, both logging their own writes. */
export async function openReliabilityPair(pair: DialectPair) {
  const dbs: TestDatabase[] = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
  const open = (db: TestDatabase) =>
    openDataSource(db, {
      entities: [...RELIABILITY_ENTITIES, ...synchroEntities],
      subscribers: [SynchroSubscriber],
    });
  const A: DataSource = await open(dbs[0] as TestDatabase);
  const B: DataSource = await open(dbs[1] as TestDatabase);
  return {
    ds: { A, B },
    options: { A: (dbs[0] as TestDatabase).options, B: (dbs[1] as TestDatabase).options },
    close: async () => {
      await A.destroy().catch(() => undefined);
      await B.destroy().catch(() => undefined);
      for (const db of dbs) await db.drop();
    },
  };
}

/** The seed of this run: `RELIABILITY_SEED`, else `fallback`. */
export function seedOf(fallback: number): number {
  const given = process.env.RELIABILITY_SEED;
  return given !== undefined && given !== '' ? Number(given) : fallback;
}

/**
 * Runs `size.histories` random histories on one pair of databases (truncated between histories),
 * each checked against the model after every sync. A failure carries the seed, the path and the
 * shrunk history, so `RELIABILITY_SEED=<seed>` replays it.
 */
export async function runModelHistories(
  ds: { A: DataSource; B: DataSource },
  pair: DialectPair,
  seed: number,
  size: ModelRunSize,
): Promise<ModelRunCounts> {
  const counts: ModelRunCounts = {
    pair: `${pair.source}->${pair.target}`,
    seed,
    histories: 0,
    steps: 0,
    syncs: 0,
    noops: 0,
    failure: undefined,
  };
  const property = fc.asyncProperty(historyArbitrary(size.maxSteps), async (steps: Step[]) => {
    await truncateAll(ds.A);
    await truncateAll(ds.B);
    const runner = new HistoryRunner(ds);
    await runner.run(steps);
    counts.histories++;
    counts.steps += steps.length;
    counts.syncs += runner.syncs;
    counts.noops += runner.noops;
  });
  const details = await fc.check(property, {
    seed,
    numRuns: size.histories,
    ...(size.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: size.timeLimitMs }),
    markInterruptAsFailure: false,
  });
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    counts.failure =
      `[${counts.pair}] seed ${seed} (replay: RELIABILITY_SEED=${seed})\n` +
      `${fc.defaultReportMessage(details) ?? ''}\n${cause}`;
  }
  return counts;
}
