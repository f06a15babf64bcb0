import './support/tz';
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import { SynchroLockedError } from '../../src/core/errors';
import { synchroEntities } from '../../src/store/synchro-entities';
import { synchronize } from '../../src/sync/synchronizer';
import type { SyncResult } from '../../src/sync/sync-result';
import { describeEachPair, SYNC_PAIRS } from '../support/describe-dialects';
import { duplicatesOf, idMapProblems } from './support/delivery-checks';
import { contentOf, RELIABILITY_ENTITIES, RelChild, RelParent, RelTag } from './support/model-entities';
import { openReliabilityPair, seedOf } from './support/model-suite';
import { seededRandom } from './support/crash-harness';

const SERVER_LOCALS = SYNC_PAIRS.filter((p) => p.source !== 'sqlite');
const WRITERS = 4;
/** Transactions per writer. */
const WRITES = 60;

/** One writer: `WRITES` random logged transactions (insert, update or delete), paced by a few ms. */
async function writer(ds: DataSource, id: number, random: () => number) {
  let failed = 0;
  for (let n = 1; n <= WRITES; n++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    try {
      await ds.transaction(async (manager) => {
        const parents = manager.getRepository(RelParent);
        const mine = await parents.find({ where: { name: `n${1 + Math.floor(random() * n)}` } });
        const target = mine.find((p) => p.uid.startsWith(`w${id}-`));
        const roll = random();
        if (target === undefined || roll < 0.4) {
          const parent = await parents.save({ uid: `w${id}-${n}`, name: `n${n}` });
          await manager.getRepository(RelChild).save({ uid: `w${id}-${n}c`, value: n, parent });
          await manager.getRepository(RelTag).save({ label: `w${id}-${n}`, color: 'new' });
        } else if (roll < 0.8) await parents.save({ ...target, name: `u${n}` });
        else await parents.remove(target);
      });
    } catch {
      failed++; // a deadlock victim is rolled back whole: nothing was logged for it
    }
  }
  return failed;
}

describeEachPair(
  'concurrency: writers commit while syncs run',
  (pair) => {
    let db: Awaited<ReturnType<typeof openReliabilityPair>>;
    beforeAll(async () => {
      db = await openReliabilityPair(pair);
    });
    afterAll(async () => db?.close());

    it('after the writers stop and one final sync, the remote equals the local data', async () => {
      const random = seededRandom(seedOf(11));
      let writing = true;
      const writers = Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(db.ds.A, i, random)));
      void writers.finally(() => (writing = false));
      let syncs = 0;
      // Syncs run back to back while the writers commit (at least three, however fast they are).
      while (writing || syncs < 3) {
        const commit = syncs % 2 ? 'batch' : 'run';
        await synchronize({ local: db.ds.A, remote: db.ds.B, batchSize: 50, commit });
        syncs++;
      }
      const failed = (await writers).reduce((a, b) => a + b, 0);
      expect(failed).toBeLessThan(WRITERS * WRITES);
      await synchronize({ local: db.ds.A, remote: db.ds.B });
      expect(await contentOf(db.ds.B)).toEqual(await contentOf(db.ds.A));
      expect(await duplicatesOf(db.ds.B)).toEqual([]);
      expect(await idMapProblems(db.ds.A, db.ds.B, true)).toEqual([]);
    }, 120_000);
  },
  SERVER_LOCALS,
);

describeEachPair('concurrency: two syncs started together', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  const extra: DataSource[] = [];
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
  });
  afterAll(async () => {
    for (const ds of extra) await ds.destroy().catch(() => undefined);
    await db?.close();
  });

  /** A second DataSource on the same database: another process, as far as in-process locks go. */
  async function twin(options: DataSourceOptions): Promise<DataSource> {
    const ds = new DataSource({
      ...options,
      entities: [...RELIABILITY_ENTITIES, ...synchroEntities],
      subscribers: [SynchroSubscriber],
    } as DataSourceOptions);
    extra.push(ds);
    return ds.initialize();
  }

  it('never both apply: one delivers, the other waits and finds nothing, or is locked out', async () => {
    await db.ds.A.getRepository(RelParent).save(
      Array.from({ length: 30 }, (_, i) => ({ uid: `t${i}`, name: `together ${i}` })),
    );
    const [A2, B2] = [await twin(db.options.A), await twin(db.options.B)];
    const outcomes = await Promise.allSettled([
      synchronize({ local: db.ds.A, remote: db.ds.B }),
      synchronize({ local: A2, remote: B2 }),
    ]);
    const results = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    for (const o of outcomes)
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(SynchroLockedError);
    const inserted = (r: SyncResult) => r.counts.rel_parent?.inserted ?? 0;
    expect(results.map(inserted).sort()).toEqual(results.length === 2 ? [0, 30] : [30]);
    expect(await contentOf(db.ds.B)).toEqual(await contentOf(db.ds.A));
    expect(await duplicatesOf(db.ds.B)).toEqual([]);
  });
});
