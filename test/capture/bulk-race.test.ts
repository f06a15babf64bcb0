import 'reflect-metadata';
import { Like, type DataSource } from 'typeorm';
import { Item } from '../support/capture-entities';
import { loggedBy, openCaptureDataSource, row } from '../support/capture-harness';
import { availableDialects } from '../support/dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Pooled databases only: on SQLite one connection cannot race with itself.
for (const dialect of ['postgres', 'mysql'] as const) {
  (availableDialects().includes(dialect) ? describe : describe.skip)(
    `capture: bulk writes racing other connections [${dialect}]`,
    () => {
      let db: TestDatabase;
      let ds: DataSource;

      beforeAll(async () => {
        db = await createTestDatabase(dialect);
        ds = await openCaptureDataSource(db);
      });
      afterAll(async () => {
        await ds?.destroy();
        await db?.drop();
      });

      it('a matching row committed by another connection while the update waits cannot be changed unlogged', async () => {
        const seeded = await ds
          .getRepository(Item)
          .save([{ code: 'race-1' }, { code: 'race-2' }, { code: 'race-3' }]);
        const other = ds.createQueryRunner();
        await other.connect();
        await other.startTransaction();
        let update: Promise<unknown> | undefined;
        try {
          // The other transaction holds a matching row, so our UPDATE blocks; meanwhile it adds a new matching row.
          await other.manager
            .createQueryBuilder(Item, 'i')
            .setLock('pessimistic_write')
            .where('i.code = :c', { c: 'race-1' })
            .getOne();
          await other.manager.insert(Item, { code: 'race-4' });
          const rows = loggedBy(ds, () =>
            ds.getRepository(Item).update({ code: Like('race-%') }, { qty: 1 }),
          );
          update = rows;
          await sleep(300);
          await other.commitTransaction();
          const logged = await rows;
          const changed = await ds.getRepository(Item).findBy({ code: Like('race-%'), qty: 1 });
          expect(changed.length).toBeGreaterThanOrEqual(seeded.length);
          // The other connection's insert of race-4 is logged by it; what matters is every row the update changed.
          const updates = logged.filter((r) => r.action === 'update');
          expect(updates.sort((a, b) => Number(a.key.id) - Number(b.key.id))).toEqual(
            changed.sort((a, b) => a.id - b.id).map((i) => row('cap_item', { id: i.id }, 'update')),
          );
        } finally {
          if (other.isTransactionActive) await other.rollbackTransaction();
          await update?.catch(() => undefined);
          await other.release();
        }
      });
    },
  );
}
