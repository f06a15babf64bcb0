import 'reflect-metadata';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { Customer, Order, Post, rowsOf, Tag, useSyncPair } from '../support/sync-fixtures';

describeEachPair('engine: targets resolved by earlier batches of a run', (pair) => {
  const db = useSyncPair(pair);

  it('later batches point foreign keys at the remote row an earlier batch created, without duplicating it', async () => {
    // Remote ids diverge from local ones, so a wrong reuse would point at another customer.
    await runInNoLogContext(() =>
      db.remote.getRepository(Customer).save([
        { email: 'pad-1@x', name: 'pad' },
        { email: 'pad-2@x', name: 'pad' },
      ]),
    );
    const shared = await db.local.getRepository(Customer).save({ email: 'shared@x', name: 'Shared' });
    for (let i = 0; i < 7; i++)
      await db.local.getRepository(Order).save({ number: `RT-${i}`, total: '1.00', customer: shared });
    const result = await synchronize({ local: db.local, remote: db.remote, batchSize: 2 });
    expect(result.counts.fx_customer).toMatchObject({ inserted: 1 });
    expect(result.counts.fx_order).toMatchObject({ inserted: 7 });
    const customers = await db.remote.getRepository(Customer).findBy({ email: 'shared@x' });
    expect(customers).toHaveLength(1);
    const orders = await rowsOf(db.remote, Order, 'number', ['customer']);
    const synced = orders.filter((o) => o.number.startsWith('RT-'));
    expect(synced).toHaveLength(7);
    expect(new Set(synced.map((o) => o.customer?.id))).toEqual(new Set([customers[0]?.id]));
  });

  it('later batches reuse many-to-many targets an earlier batch created, and join rows point at them', async () => {
    await runInNoLogContext(() =>
      db.remote.getRepository(Tag).save([{ label: 'pad-a' }, { label: 'pad-b' }]),
    );
    const tags = await db.local.getRepository(Tag).save([{ label: 'rt-red' }, { label: 'rt-blue' }]);
    for (let i = 0; i < 6; i++) await db.local.getRepository(Post).save({ title: `rt-post-${i}`, tags });
    await synchronize({ local: db.local, remote: db.remote, batchSize: 3 });
    const remoteTags = await db.remote.getRepository(Tag).findBy([{ label: 'rt-red' }, { label: 'rt-blue' }]);
    expect(remoteTags).toHaveLength(2);
    const posts = await rowsOf(db.remote, Post, 'title', ['tags']);
    const synced = posts.filter((p) => p.title.startsWith('rt-post-'));
    expect(synced).toHaveLength(6);
    for (const post of synced) {
      expect((post.tags ?? []).map((t) => t.id).sort()).toEqual(remoteTags.map((t) => t.id).sort());
    }
  });
});
