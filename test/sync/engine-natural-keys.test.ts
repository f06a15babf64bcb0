import 'reflect-metadata';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { ensureNodeId } from '../../src/store/node-identity';
import { writeCursor } from '../../src/sync/cursor-store';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { Address, Customer, rowsOf, Setting, useSyncPair } from '../support/sync-fixtures';

describeEachPair('engine natural keys and counterparts', (pair) => {
  const db = useSyncPair(pair);

  it('matches an existing remote row by natural key instead of creating one, keeping skip fields', async () => {
    await runInNoLogContext(() =>
      db.remote.getRepository(Customer).save({ email: 'nk@x', name: 'Remote name', visits: 42 }),
    );
    await db.local.getRepository(Customer).save([
      { email: 'nk@x', name: 'Local name', visits: 1 },
      { email: 'new@x', name: 'New', visits: 99 },
    ]);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer).toMatchObject({ inserted: 1, updated: 1 });
    expect(result.conflicts).toEqual([]);
    const remote = await rowsOf(db.remote, Customer, 'email');
    expect(remote.map((c) => [c.email, c.name, c.visits])).toEqual([
      ['new@x', 'New', 7],
      ['nk@x', 'Local name', 42],
    ]);
  });

  it('matches natural keys whose field is a relation through the id map', async () => {
    const remoteCustomer = await db.remote.getRepository(Customer).findOneByOrFail({ email: 'nk@x' });
    await runInNoLogContext(() =>
      db.remote.getRepository(Address).save({ customer: remoteCustomer, kind: 'home', street: 'Remote st' }),
    );
    const localCustomer = await db.local.getRepository(Customer).findOneByOrFail({ email: 'nk@x' });
    await db.local.getRepository(Address).save({ customer: localCustomer, kind: 'home', street: 'Local st' });
    await synchronize({ local: db.local, remote: db.remote });
    const addresses = await rowsOf(db.remote, Address, 'id', ['customer']);
    expect(addresses.map((a) => [a.customer.email, a.kind, a.street])).toEqual([
      ['nk@x', 'home', 'Local st'],
    ]);
  });

  it('delivering the same changes twice never duplicates a row (generated keys included)', async () => {
    const before = await db.remote.getRepository(Customer).count();
    const localNode = await ensureNodeId(db.local);
    await writeCursor(db.remote, localNode, 'in', '0');
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.status).toBe('synced');
    expect(result.counts.fx_customer?.inserted ?? 0).toBe(0);
    expect(await db.remote.getRepository(Customer).count()).toBe(before);
    expect(await db.remote.getRepository(Address).count()).toBe(1);
  });

  it('overwrites a remote row with the same non-generated key', async () => {
    await runInNoLogContext(() => db.remote.getRepository(Setting).save({ name: 'lang', value: 'remote' }));
    await db.local.getRepository(Setting).save({ name: 'lang', value: 'local' });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_setting).toMatchObject({ inserted: 0, updated: 1 });
    expect((await db.remote.getRepository(Setting).findOneByOrFail({ name: 'lang' })).value).toBe('local');
  });

  it('deletes the remote row found by the natural key stored at delete time', async () => {
    // A remote row the id map does not know (created natively), with the same natural key.
    await runInNoLogContext(() => db.remote.getRepository(Customer).save({ email: 'gone@x', name: 'R' }));
    const local = await runInNoLogContext(() =>
      db.local.getRepository(Customer).save({ email: 'gone@x', name: 'L' }),
    );
    await db.local.getRepository(Customer).remove(local);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer).toMatchObject({ deleted: 1 });
    expect(await db.remote.getRepository(Customer).findOneBy({ email: 'gone@x' })).toBeNull();
  });

  it('an insert and a delete of an object that never reached the remote send nothing', async () => {
    await runInNoLogContext(() =>
      db.remote.getRepository(Customer).save({ email: 'twin@x', name: 'Remote own' }),
    );
    const c = await db.local.getRepository(Customer).save({ email: 'twin@x', name: 'short-lived' });
    await db.local.getRepository(Customer).remove(c);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_customer?.deleted ?? 0).toBe(0);
    expect(result.plan).toEqual([
      expect.objectContaining({
        entity: 'fx_customer',
        action: 'none',
        reason: 'delete: no remote counterpart',
      }),
    ]);
    expect((await db.remote.getRepository(Customer).findOneByOrFail({ email: 'twin@x' })).name).toBe(
      'Remote own',
    );
  });

  it('deletes the remote row with the same non-generated key when the id map does not know it', async () => {
    await runInNoLogContext(() => db.remote.getRepository(Setting).save({ name: 'native', value: 'r' }));
    await runInNoLogContext(() => db.local.getRepository(Setting).save({ name: 'native', value: 'l' }));
    await db.local
      .getRepository(Setting)
      .remove(await db.local.getRepository(Setting).findOneByOrFail({ name: 'native' }));
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_setting).toMatchObject({ deleted: 1 });
    expect(await db.remote.getRepository(Setting).findOneBy({ name: 'native' })).toBeNull();
  });

  it('a delete found by a stored natural key whose field is a relation maps it through the id map', async () => {
    const e = (ds: typeof db.local, n: string) => ds.driver.escape(n);
    const forget = async (ds: typeof db.local) =>
      ds.query(`DELETE FROM ${e(ds, 'synchro_id_map')} WHERE ${e(ds, 'entity')} = 'fx_address'`);
    await runInNoLogContext(async () => {
      await forget(db.local);
      await forget(db.remote);
    });
    const address = await db.local.getRepository(Address).findOneOrFail({ where: { kind: 'home' } });
    await db.local.getRepository(Address).remove(address);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_address).toMatchObject({ deleted: 1 });
    expect(await db.remote.getRepository(Address).count()).toBe(0);
  });
});
