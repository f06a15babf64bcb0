import 'reflect-metadata';
import type { EntitySubscriberInterface } from 'typeorm';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { resetSynchro } from '../../src/sync/reset-synchro';
import { Synchronizer, synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { countTable, Customer, Order, Post, Setting, Tag, useSyncPair } from '../support/sync-fixtures';

/** Counts the queries a DataSource runs (TypeORM's beforeQuery event). */
class QueryCounter implements EntitySubscriberInterface {
  count = 0;
  beforeQuery(): void {
    this.count++;
  }
}

describeEachPair(
  "django-synchro's bugs stay fixed: late commits",
  (pair) => {
    const db = useSyncPair(pair);

    it('B5: a write whose transaction commits after a sync started is delivered, never skipped', async () => {
      const slow = db.local.createQueryRunner();
      await slow.connect();
      await slow.startTransaction();
      await slow.manager.save(Tag, { label: 'b5-slow' }); // holds the lower log id, uncommitted
      await db.local.getRepository(Tag).save({ label: 'b5-fast' });
      const sync = synchronize({ local: db.local, remote: db.remote, lockTimeoutMs: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await slow.commitTransaction();
      await slow.release();
      await sync;
      await synchronize({ local: db.local, remote: db.remote });
      const labels = (await db.remote.getRepository(Tag).find()).map((t) => t.label).sort();
      expect(labels).toEqual(['b5-fast', 'b5-slow']);
    });
  },
  [
    { source: 'postgres', target: 'mysql' },
    { source: 'mysql', target: 'sqlite' },
  ],
);

describeEachPair("django-synchro's bugs stay fixed", (pair) => {
  const db = useSyncPair(pair);

  it('B1: the first sync of a fresh install delivers everything logged so far; the checkpoint lives in the database', async () => {
    await db.local.getRepository(Tag).save([{ label: 'b1-a' }, { label: 'b1-b' }]);
    const first = await new Synchronizer({ local: db.local, remote: db.remote }).run();
    expect(first.counts.fx_tag).toMatchObject({ inserted: 2 });
    // B16: a new Synchronizer (another process) sees the stored checkpoint, not a cached default.
    expect((await new Synchronizer({ local: db.local, remote: db.remote }).run()).status).toBe('no-changes');
  });

  it('B2: changes right after a sync are delivered once, and re-running never re-processes them', async () => {
    await synchronize({ local: db.local, remote: db.remote });
    await db.local.getRepository(Order).save({ number: 'b2', total: '1.00' });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_order).toMatchObject({ inserted: 1 });
    expect((await synchronize({ local: db.local, remote: db.remote })).status).toBe('no-changes');
    expect(await db.remote.getRepository(Order).countBy({ number: 'b2' })).toBe(1);
  });

  it('B4: a log of an object deleted without a log does not block later runs', async () => {
    const ghost = await db.local.getRepository(Order).save({ number: 'ghost', total: '0' });
    await runInNoLogContext(() => db.local.getRepository(Order).remove(ghost));
    await db.local.getRepository(Order).save({ number: 'after-ghost', total: '0' });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.skipped).toEqual([
      expect.objectContaining({ entity: 'fx_order', code: 'MISSING_LOCALLY' }),
    ]);
    expect(await db.remote.getRepository(Order).countBy({ number: 'after-ghost' })).toBe(1);
    expect((await synchronize({ local: db.local, remote: db.remote })).status).toBe('no-changes');
  });

  it('B6: resetSynchro keeps the id map, so later edits update instead of duplicating', async () => {
    await resetSynchro(db.local);
    await db.local.getRepository(Order).update({ number: 'b2' }, { total: '9.00' });
    const order = await db.local.getRepository(Order).findOneByOrFail({ number: 'b2' });
    await db.local.getRepository(Order).save({ ...order, number: 'b2-renamed' });
    await synchronize({ local: db.local, remote: db.remote });
    expect(await db.remote.getRepository(Order).countBy({ number: 'b2' })).toBe(0);
    expect(await db.remote.getRepository(Order).countBy({ number: 'b2-renamed' })).toBe(1);
  });

  it('B7: natural keys are stored as data and never evaluated', async () => {
    const email = `x'); process.exit(1); ("@x`;
    await db.local.getRepository(Customer).save({ email, name: 'evil' });
    await synchronize({ local: db.local, remote: db.remote });
    await runInNoLogContext(() =>
      db.remote.query(`DELETE FROM ${db.remote.driver.escape('synchro_id_map')}`),
    );
    await runInNoLogContext(() => db.local.query(`DELETE FROM ${db.local.driver.escape('synchro_id_map')}`));
    await db.local
      .getRepository(Customer)
      .remove(await db.local.getRepository(Customer).findOneByOrFail({ email }));
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer).toMatchObject({ deleted: 1 });
    expect(await db.remote.getRepository(Customer).countBy({ email })).toBe(0);
  });

  it('B8: long string keys are kept intact', async () => {
    const name = 'k'.repeat(40);
    await db.local.getRepository(Setting).save({ name, value: 'long' });
    await synchronize({ local: db.local, remote: db.remote });
    expect((await db.remote.getRepository(Setting).findOneByOrFail({ name })).value).toBe('long');
  });

  it('B9/B10: m2m changes are compared by time too, and an insert carries its join rows', async () => {
    const [t1, t2] = await db.local.getRepository(Tag).save([{ label: 'b10-1' }, { label: 'b10-2' }]);
    await db.local.getRepository(Post).save({ title: 'b10', tags: [t1 as Tag] });
    await synchronize({ local: db.local, remote: db.remote });
    const carried = await db.remote
      .getRepository(Post)
      .findOneOrFail({ where: { title: 'b10' }, relations: { tags: true } });
    expect(carried.tags?.map((t) => t.label)).toEqual(['b10-1']);
    const local = await db.local
      .getRepository(Post)
      .findOneOrFail({ where: { title: 'b10' }, relations: { tags: true } });
    local.tags = [t1 as Tag, t2 as Tag];
    await db.local.getRepository(Post).save(local);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const remote = await db.remote
      .getRepository(Post)
      .findOneOrFail({ where: { title: 'b10' }, relations: { tags: true } });
    remote.tags = [];
    await db.remote.getRepository(Post).save(remote);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.conflicts).toEqual([expect.objectContaining({ entity: 'fx_post', decision: 'remote' })]);
    const after = await db.remote
      .getRepository(Post)
      .findOneOrFail({ where: { title: 'b10' }, relations: { tags: true } });
    expect(after.tags).toEqual([]);
  });

  it('B11: a self-reference cycle (a ↔ b) is written without recursion', async () => {
    const repo = db.local.getRepository(Post);
    const a = await repo.save({ title: 'b11-a' });
    const b = await repo.save({ title: 'b11-b', parent: a });
    a.parent = b;
    await repo.save(a);
    await synchronize({ local: db.local, remote: db.remote });
    const rows = await db.remote.getRepository(Post).find({
      where: [{ title: 'b11-a' }, { title: 'b11-b' }],
      relations: { parent: true },
      order: { title: 'ASC' },
    });
    expect(rows.map((r) => r.parent?.title)).toEqual(['b11-b', 'b11-a']);
  });

  it('B12: create/update dates and versions are copied as they are, not re-stamped', async () => {
    await db.local.getRepository(Setting).save({ name: 'b12', value: 'v1' });
    const local = await db.local.getRepository(Setting).findOneByOrFail({ name: 'b12' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await synchronize({ local: db.local, remote: db.remote });
    const remote = await db.remote.getRepository(Setting).findOneByOrFail({ name: 'b12' });
    expect(Math.floor(remote.updatedAt.getTime() / 1000)).toBe(Math.floor(local.updatedAt.getTime() / 1000));
    expect(Math.floor(remote.createdAt.getTime() / 1000)).toBe(Math.floor(local.createdAt.getTime() / 1000));
  });

  it("B13: the no-log scope covers only the sync's own writes, not concurrent application writes", async () => {
    await db.local.getRepository(Tag).save({ label: 'b13-synced' });
    const before = await countTable(db.remote, 'synchro_log');
    await Promise.all([
      synchronize({ local: db.local, remote: db.remote }),
      db.remote.getRepository(Tag).save({ label: 'b13-app-write' }),
    ]);
    expect(await countTable(db.remote, 'synchro_log')).toBe(before + 1);
  });

  it('B15: the number of queries does not grow with the number of objects', async () => {
    const counters = { local: new QueryCounter(), remote: new QueryCounter() };
    db.local.subscribers.push(counters.local);
    db.remote.subscribers.push(counters.remote);
    const measure = async (n: number, prefix: string) => {
      const customers = await db.local
        .getRepository(Customer)
        .save(Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@x`, name: 'n' })));
      await db.local
        .getRepository(Order)
        .save(customers.map((customer, i) => ({ number: `${prefix}${i}`, total: '1', customer })));
      counters.local.count = counters.remote.count = 0;
      await synchronize({ local: db.local, remote: db.remote, listeners: false });
      return counters.local.count + counters.remote.count;
    };
    try {
      const small = await measure(20, 'q20-');
      const large = await measure(200, 'q200-');
      expect(large).toBeLessThanOrEqual(small + 5);
      expect(
        await db.remote.getRepository(Order).count({ where: { customer: { email: 'q200-199@x' } } }),
      ).toBe(1);
    } finally {
      db.local.subscribers.splice(db.local.subscribers.indexOf(counters.local), 1);
      db.remote.subscribers.splice(db.remote.subscribers.indexOf(counters.remote), 1);
    }
  });
});
