import 'reflect-metadata';
import type { EntitySubscriberInterface, InsertEvent, RemoveEvent, UpdateEvent } from 'typeorm';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { countTable, Customer, Order, useSyncPair } from '../support/sync-fixtures';

interface Heard {
  event: 'insert' | 'update' | 'remove';
  table: string;
  isInstance: boolean;
  inTransaction: boolean;
  number?: string;
}

/** Records after-events on the remote and, like a computed field, counts orders into the customer. */
class RecordingSubscriber implements EntitySubscriberInterface {
  readonly heard: Heard[] = [];

  async afterInsert(event: InsertEvent<unknown>): Promise<void> {
    this.record('insert', event);
    if (event.metadata.tableName !== 'fx_order') return;
    // The entity carries its many-to-one relations, as after a `save`, with the remote's own keys;
    // writes through the event's manager join the sync's transaction.
    const customer = (event.entity as Order).customer;
    if (customer != null) await event.manager.increment(Customer, { id: customer.id }, 'visits', 100);
  }

  afterUpdate(event: UpdateEvent<unknown>): void {
    this.record('update', event);
  }

  afterRemove(event: RemoveEvent<unknown>): void {
    this.record('remove', event);
  }

  private record(
    kind: Heard['event'],
    event: {
      metadata: { tableName: string; target: unknown };
      entity?: unknown;
      queryRunner: { isTransactionActive: boolean };
    },
  ) {
    if (event.metadata.tableName.startsWith('synchro_')) return;
    const entity = event.entity as { number?: string } | undefined;
    this.heard.push({
      event: kind,
      table: event.metadata.tableName,
      isInstance: entity instanceof (event.metadata.target as new () => unknown),
      inTransaction: event.queryRunner.isTransactionActive,
      ...(entity?.number === undefined ? {} : { number: entity.number }),
    });
  }
}

describeEachPair('engine listeners and echo prevention', (pair) => {
  const db = useSyncPair(pair);
  const recorder = new RecordingSubscriber();
  beforeAll(() => {
    db.remote.subscribers.push(recorder);
  });

  it('listeners: true fires remote after-events with full entities inside the sync transaction, never logged', async () => {
    const customer = await db.local.getRepository(Customer).save({ email: 'l@x', name: 'L' });
    await db.local.getRepository(Order).save({ number: 'N-1', total: '5.00', customer });
    const logBefore = await countTable(db.remote, 'synchro_log');
    await synchronize({ local: db.local, remote: db.remote });
    expect(recorder.heard).toEqual(
      expect.arrayContaining([
        { event: 'insert', table: 'fx_customer', isInstance: true, inTransaction: true },
        { event: 'insert', table: 'fx_order', isInstance: true, inTransaction: true, number: 'N-1' },
      ]),
    );
    expect((await db.remote.getRepository(Customer).findOneByOrFail({ email: 'l@x' })).visits).toBe(107);
    expect(await countTable(db.remote, 'synchro_log')).toBe(logBefore);
  });

  it('fires afterUpdate and afterRemove too', async () => {
    recorder.heard.length = 0;
    await db.local.getRepository(Order).update({ number: 'N-1' }, { total: '6.00' });
    const order = await db.local.getRepository(Order).findOneByOrFail({ number: 'N-1' });
    await db.local.getRepository(Order).save({ ...order, number: 'N-1b' });
    await synchronize({ local: db.local, remote: db.remote });
    expect(recorder.heard).toEqual([
      { event: 'update', table: 'fx_order', isInstance: true, inTransaction: true, number: 'N-1b' },
    ]);
    recorder.heard.length = 0;
    await db.local
      .getRepository(Order)
      .remove(await db.local.getRepository(Order).findOneByOrFail({ number: 'N-1b' }));
    await synchronize({ local: db.local, remote: db.remote });
    expect(recorder.heard).toEqual([
      { event: 'remove', table: 'fx_order', isInstance: true, inTransaction: true, number: 'N-1b' },
    ]);
  });

  it('listeners: false fires none and writes the same values', async () => {
    recorder.heard.length = 0;
    const customer = await db.local.getRepository(Customer).findOneByOrFail({ email: 'l@x' });
    await db.local.getRepository(Order).save({ number: 'N-2', total: '1.00', customer });
    await synchronize({ local: db.local, remote: db.remote, listeners: false });
    expect(recorder.heard).toEqual([]);
    expect(Number((await db.remote.getRepository(Order).findOneByOrFail({ number: 'N-2' })).total)).toBe(1);
  });
});

describeEachPair('engine two directions and several remotes', (pair) => {
  const ab = useSyncPair(pair);
  const third = useSyncPair({ source: pair.target, target: pair.source });

  it('A→B, an edit on B, then B→A: no duplicate and no echo', async () => {
    const { local: a, remote: b } = ab;
    // Diverging generated ids on B, so identity must come from the id map.
    await runInNoLogContext(() => b.getRepository(Order).save({ number: 'b-own', total: '0' }));
    await a.getRepository(Order).save({ number: 'shared', total: '1.00' });
    await synchronize({ local: a, remote: b });
    // The pair is written once, on the receiving side; the way back reads it from there.
    expect(await countTable(a, 'synchro_id_map')).toBe(0);
    const onB = await b.getRepository(Order).findOneByOrFail({ number: 'shared' });
    await b.getRepository(Order).save({ ...onB, total: '2.00' });
    const aLog = await countTable(a, 'synchro_log');
    const back = await synchronize({ local: b, remote: a });
    expect(back.counts.fx_order).toMatchObject({ inserted: 0, updated: 1 });
    const onA = await a.getRepository(Order).findBy({ number: 'shared' });
    expect(onA.map((o) => Number(o.total))).toEqual([2]);
    expect(await countTable(a, 'synchro_log')).toBe(aLog);
    expect((await synchronize({ local: a, remote: b })).status).toBe('no-changes');
    expect(await b.getRepository(Order).countBy({ number: 'shared' })).toBe(1);
  });

  it('B→A, an edit on A, then A→B: the pair written on A serves the way back', async () => {
    const { local: a, remote: b } = ab;
    await b.getRepository(Order).save({ number: 'from-b', total: '1.00' });
    expect((await synchronize({ local: b, remote: a })).counts.fx_order).toMatchObject({ inserted: 1 });
    const onA = await a.getRepository(Order).findOneByOrFail({ number: 'from-b' });
    await a.getRepository(Order).save({ ...onA, total: '3.00' });
    const there = await synchronize({ local: a, remote: b });
    expect(there.counts.fx_order).toMatchObject({ inserted: 0, updated: 1 });
    const onB = await b.getRepository(Order).findBy({ number: 'from-b' });
    expect(onB.map((o) => Number(o.total))).toEqual([3]);
  });

  it('B14: a database syncs to several remotes, each with its own checkpoint', async () => {
    const a = ab.local;
    const c = third.local;
    await a.getRepository(Customer).save({ email: 'multi@x', name: 'M' });
    await synchronize({ local: a, remote: ab.remote });
    const toC = await synchronize({ local: a, remote: c });
    expect(toC.status).toBe('synced');
    expect(await c.getRepository(Order).countBy({ number: 'shared' })).toBe(1);
    expect(await c.getRepository(Customer).countBy({ email: 'multi@x' })).toBe(1);
    expect((await synchronize({ local: a, remote: ab.remote })).status).toBe('no-changes');
    expect((await synchronize({ local: a, remote: c })).status).toBe('no-changes');
  });
});
