import 'reflect-metadata';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { Customer, rowsOf, Setting, useSyncPair } from '../support/sync-fixtures';

describeEachPair('engine basics', (pair) => {
  const db = useSyncPair(pair);

  it('copies logged inserts and reports counts, then says no changes', async () => {
    await db.local.getRepository(Customer).save([
      { email: 'a@x', name: 'Ann' },
      { email: 'b@x', name: 'Bob' },
    ]);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.status).toBe('synced');
    expect(result.message).toBe('Synchronization performed successfully.');
    expect(result.counts.fx_customer).toMatchObject({ inserted: 2, updated: 0 });
    const remote = await rowsOf(db.remote, Customer, 'email');
    expect(remote.map((c) => [c.email, c.name])).toEqual([
      ['a@x', 'Ann'],
      ['b@x', 'Bob'],
    ]);
    const again = await synchronize({ local: db.local, remote: db.remote });
    expect(again.status).toBe('no-changes');
    expect(again.message).toBe('No changes since last synchronization.');
    expect(JSON.parse(JSON.stringify(again))).toEqual(again);
  });

  it('sends current values of updated objects and never duplicates', async () => {
    const repo = db.local.getRepository(Customer);
    const ann = await repo.findOneByOrFail({ email: 'a@x' });
    ann.name = 'Ann 2';
    await repo.save(ann);
    ann.name = 'Ann 3';
    await repo.save(ann);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer).toMatchObject({ inserted: 0, updated: 1 });
    const remote = await rowsOf(db.remote, Customer, 'email');
    expect(remote.map((c) => c.name)).toEqual(['Ann 3', 'Bob']);
  });

  it('uses the same key for non-generated primary keys and copies date/version columns as they are', async () => {
    const repo = db.local.getRepository(Setting);
    await repo.save({ name: 'theme', value: 'dark' });
    const saved = await repo.findOneByOrFail({ name: 'theme' });
    saved.value = 'light';
    await repo.save(saved);
    const local = await repo.findOneByOrFail({ name: 'theme' });
    await synchronize({ local: db.local, remote: db.remote });
    const remote = await db.remote.getRepository(Setting).findOneByOrFail({ name: 'theme' });
    expect(remote.value).toBe('light');
    expect(remote.version).toBe(local.version);
    expect(Math.floor(remote.createdAt.getTime() / 1000)).toBe(Math.floor(local.createdAt.getTime() / 1000));
    expect(Math.floor(remote.updatedAt.getTime() / 1000)).toBe(Math.floor(local.updatedAt.getTime() / 1000));
  });

  it('deletes the counterpart of a deleted object', async () => {
    const repo = db.local.getRepository(Customer);
    await repo.remove(await repo.findOneByOrFail({ email: 'b@x' }));
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer).toMatchObject({ deleted: 1 });
    expect((await rowsOf(db.remote, Customer, 'email')).map((c) => c.email)).toEqual(['a@x']);
  });
});
