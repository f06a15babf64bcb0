import 'reflect-metadata';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { readNodeId } from '../../src/store/node-identity';
import { readCursor } from '../../src/sync/cursor-store';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { countTable, Customer, Order, Tag, useSyncPair } from '../support/sync-fixtures';

describeEachPair('engine dry run and full sync', (pair) => {
  const db = useSyncPair(pair);

  it('dry run returns the full plan and writes nothing anywhere', async () => {
    const customer = await db.local.getRepository(Customer).save({ email: 'dry@x', name: 'D' });
    await db.local.getRepository(Order).save({ number: 'DRY-1', total: '1.00', customer });
    const tables = ['synchro_id_map', 'synchro_cursor', 'synchro_log', 'synchro_retry'];
    const before = await Promise.all([
      ...tables.map((t) => countTable(db.remote, t)),
      ...tables.map((t) => countTable(db.local, t)),
    ]);
    const result = await synchronize({ local: db.local, remote: db.remote, dryRun: true });
    expect(result.status).toBe('dry-run');
    expect(result.plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ entity: 'fx_customer', action: 'insert' }),
        expect.objectContaining({ entity: 'fx_order', action: 'insert' }),
      ]),
    );
    expect(await db.remote.getRepository(Customer).count()).toBe(0);
    const after = await Promise.all([
      ...tables.map((t) => countTable(db.remote, t)),
      ...tables.map((t) => countTable(db.local, t)),
    ]);
    expect(after).toEqual(before);
    const real = await synchronize({ local: db.local, remote: db.remote });
    expect(real.counts.fx_order).toMatchObject({ inserted: 1 });
  });

  it('full: true sends every row of every watched entity, including rows never logged, without duplicates', async () => {
    await runInNoLogContext(async () => {
      await db.local.getRepository(Tag).save([{ label: 'unlogged-1' }, { label: 'unlogged-2' }]);
      await db.local.getRepository(Customer).update({ email: 'dry@x' }, { name: 'changed silently' });
    });
    expect((await synchronize({ local: db.local, remote: db.remote })).status).toBe('no-changes');
    const full = await synchronize({ local: db.local, remote: db.remote, full: true, batchSize: 1 });
    expect(full.status).toBe('synced');
    expect((await db.remote.getRepository(Tag).find()).map((t) => t.label).sort()).toEqual([
      'unlogged-1',
      'unlogged-2',
    ]);
    expect((await db.remote.getRepository(Customer).findOneByOrFail({ email: 'dry@x' })).name).toBe(
      'changed silently',
    );
    await synchronize({ local: db.local, remote: db.remote, full: true });
    expect(await db.remote.getRepository(Tag).count()).toBe(2);
    expect(await db.remote.getRepository(Customer).count()).toBe(1);
    expect(await db.remote.getRepository(Order).count()).toBe(1);
  });

  it('the result carries the checkpoint and the clock skew as JSON-safe values', async () => {
    await db.local.getRepository(Tag).save({ label: 'cp' });
    const result = await synchronize({ local: db.local, remote: db.remote });
    const stored = await readCursor(db.remote, (await readNodeId(db.local)) as string, 'in');
    expect(result.checkpoint.logId).toBe(stored?.logId);
    expect(Number.isNaN(Date.parse(result.checkpoint.at))).toBe(false);
    expect(typeof result.clockSkewMs).toBe('number');
    expect(typeof result.durationMs).toBe('number');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const mirror = await readCursor(db.local, (await readNodeId(db.remote)) as string, 'out');
    expect(mirror?.logId).toBe(stored?.logId);
  });
});
