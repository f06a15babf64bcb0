import 'reflect-metadata';
import type { DataSource, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import { NoRemoteError } from '../../src/core/errors';
import { reverseSyncOptions } from '../../src/sync/reverse-sync-options';
import { synchronize } from '../../src/sync/synchronizer';
import type { SyncConflict } from '../../src/sync/sync-options';
import type { SyncResult } from '../../src/sync/sync-result';
import { describeEachPair } from '../support/describe-dialects';
import { Customer, Order, Setting, useSyncPair } from '../support/sync-fixtures';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachPair('engine conflicts: newest wins for every action', (pair) => {
  const db = useSyncPair(pair);

  /** A customer that exists on both sides (delivered by a sync). */
  async function shared(email: string): Promise<void> {
    await db.local.getRepository(Customer).save({ email, name: 'base' });
    await synchronize({ local: db.local, remote: db.remote });
  }
  const editLocal = (email: string, name: string) =>
    db.local.getRepository(Customer).update({ email }, { name });
  const editRemote = async (email: string, name: string) => {
    const row = await db.remote.getRepository(Customer).findOneByOrFail({ email });
    row.name = name;
    await db.remote.getRepository(Customer).save(row);
  };
  const remoteName = async (email: string) =>
    (await db.remote.getRepository(Customer).findOneBy({ email }))?.name ?? null;

  it('update: a newer remote change is kept and reported as a conflict', async () => {
    await shared('u1@x');
    const local = await db.local.getRepository(Customer).findOneByOrFail({ email: 'u1@x' });
    local.name = 'local edit';
    await db.local.getRepository(Customer).save(local);
    await pause(30);
    await editRemote('u1@x', 'remote edit');
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(await remoteName('u1@x')).toBe('remote edit');
    expect(result.conflicts).toEqual([
      expect.objectContaining({
        entity: 'fx_customer',
        decision: 'remote',
        reason: 'remote change is newer',
      }),
    ]);
    const [conflict] = result.conflicts;
    expect(Date.parse(conflict?.remoteAt ?? '')).toBeGreaterThan(Date.parse(conflict?.localAt ?? ''));
  });

  it('update: a newer local change wins over an older remote change', async () => {
    await shared('u2@x');
    await editRemote('u2@x', 'remote edit');
    await pause(30);
    const local = await db.local.getRepository(Customer).findOneByOrFail({ email: 'u2@x' });
    local.name = 'local edit';
    await db.local.getRepository(Customer).save(local);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(await remoteName('u2@x')).toBe('local edit');
    expect(result.conflicts.map((c) => c.decision)).toEqual(['local']);
  });

  it('delete: a newer remote change keeps the remote row', async () => {
    await shared('d1@x');
    await db.local
      .getRepository(Customer)
      .remove(await db.local.getRepository(Customer).findOneByOrFail({ email: 'd1@x' }));
    await pause(30);
    await editRemote('d1@x', 'remote keeps me');
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(await remoteName('d1@x')).toBe('remote keeps me');
    expect(result.conflicts.map((c) => [c.entity, c.decision])).toEqual([['fx_customer', 'remote']]);
    expect(result.counts.fx_customer?.deleted ?? 0).toBe(0);
  });

  it("conflictPolicy 'local' overrides, and the conflict is still reported", async () => {
    await shared('p1@x');
    await editLocal('p1@x', 'local edit');
    const local = await db.local.getRepository(Customer).findOneByOrFail({ email: 'p1@x' });
    await db.local.getRepository(Customer).save({ ...local, name: 'local edit 2' });
    await pause(30);
    await editRemote('p1@x', 'remote edit');
    const result = await synchronize({ local: db.local, remote: db.remote, conflictPolicy: 'local' });
    expect(await remoteName('p1@x')).toBe('local edit 2');
    expect(result.conflicts).toEqual([
      expect.objectContaining({ decision: 'local', reason: "conflictPolicy 'local'" }),
    ]);
  });

  it('a conflictPolicy function sees both sides and decides', async () => {
    await shared('p2@x');
    await editRemote('p2@x', 'remote edit');
    await pause(30);
    const local = await db.local.getRepository(Customer).findOneByOrFail({ email: 'p2@x' });
    await db.local.getRepository(Customer).save({ ...local, name: 'local edit' });
    const seen: SyncConflict[] = [];
    const result = await synchronize({
      local: db.local,
      remote: db.remote,
      conflictPolicy: (conflict) => {
        seen.push(conflict);
        return 'remote';
      },
    });
    expect(seen).toEqual([
      expect.objectContaining({ entity: 'fx_customer', localAction: 'update', remoteAction: 'update' }),
    ]);
    expect(await remoteName('p2@x')).toBe('remote edit');
    expect(result.conflicts.map((c) => c.decision)).toEqual(['remote']);
  });

  it("reverseSyncOptions: 'remote' still keeps the remote's version in a conflict the way back decides", async () => {
    await shared('b1@x');
    await editRemote('b1@x', 'remote edit');
    const there = { local: db.local, remote: db.remote, conflictPolicy: 'remote' } as const;
    await synchronize(there);
    await pause(30);
    // Made after the first direction read its log: only the way back sees both changes.
    await editLocal('b1@x', 'local edit, newer');
    const back = await synchronize(reverseSyncOptions(there));
    expect(back.conflicts.map((c) => [c.entity, c.decision])).toEqual([['fx_customer', 'local']]);
    expect((await db.local.getRepository(Customer).findOneByOrFail({ email: 'b1@x' })).name).toBe(
      'remote edit',
    );
    expect(await remoteName('b1@x')).toBe('remote edit');
  });
});

describe('reverseSyncOptions', () => {
  const a = {} as DataSource;
  const b = {} as DataSource;
  it("swaps the sides and mirrors 'local'/'remote'; 'newest' and functions pass as they are", () => {
    const decide = (): 'local' => 'local';
    const back = reverseSyncOptions({ local: a, remote: b, conflictPolicy: 'local', batchSize: 7 });
    // toBe, not toEqual: the two stand-ins are equal objects, only their identity tells them apart.
    expect(back.local).toBe(b);
    expect(back.remote).toBe(a);
    expect(back).toMatchObject({ conflictPolicy: 'remote', batchSize: 7 });
    expect(reverseSyncOptions({ local: a, remote: b, conflictPolicy: 'remote' }).conflictPolicy).toBe(
      'local',
    );
    expect(reverseSyncOptions({ local: a, remote: b }).conflictPolicy).toBeUndefined();
    expect(reverseSyncOptions({ local: a, remote: b, conflictPolicy: 'newest' }).conflictPolicy).toBe(
      'newest',
    );
    expect(reverseSyncOptions({ local: a, remote: b, conflictPolicy: decide }).conflictPolicy).toBe(decide);
  });
  it('needs a remote (NoRemoteError)', () => {
    expect(() => reverseSyncOptions({ local: a, remote: null })).toThrow(NoRemoteError);
  });
});

/**
 * One object per kind of counterpart lookup: the id map only (generated key, no natural key), the
 * natural key, and the same key on both sides (a key the application sets).
 */
interface Subject {
  readonly kind: string;
  readonly target: EntityTarget<ObjectLiteral>;
  readonly entity: string;
  create(tag: string): ObjectLiteral;
  where(tag: string): FindOptionsWhere<ObjectLiteral>;
  readonly edit: ObjectLiteral;
  /** Whether a loaded row carries `edit` (decimals load as numbers or strings, per driver). */
  edited(row: ObjectLiteral | null): boolean;
}

const SUBJECTS: readonly Subject[] = [
  {
    kind: 'generated key, id map only',
    target: Order,
    entity: 'fx_order',
    create: (tag) => ({ number: tag }),
    where: (tag) => ({ number: tag }),
    edit: { total: '9.50' },
    edited: (row) => Number(row?.total) === 9.5,
  },
  {
    kind: 'natural key',
    target: Customer,
    entity: 'fx_customer',
    create: (tag) => ({ email: `${tag}@x`, name: 'base' }),
    where: (tag) => ({ email: `${tag}@x` }),
    edit: { name: 'local edit' },
    edited: (row) => row?.name === 'local edit',
  },
  {
    kind: 'same key on both sides',
    target: Setting,
    entity: 'fx_setting',
    create: (tag) => ({ name: tag, value: 'base' }),
    where: (tag) => ({ name: tag }),
    edit: { value: 'local edit' },
    edited: (row) => row?.value === 'local edit',
  },
];

const [, CUSTOMER] = SUBJECTS as [Subject, Subject, Subject];

describeEachPair('engine conflicts: a delete against a change on the other side', (pair) => {
  const db = useSyncPair(pair);
  const find = (ds: DataSource, s: Subject, tag: string) =>
    ds.getRepository(s.target).findOneBy(s.where(tag));
  const load = async (ds: DataSource, s: Subject, tag: string) =>
    ds.getRepository(s.target).findOneByOrFail(s.where(tag));
  const conflictsOf = (result: SyncResult, s: Subject) =>
    result.conflicts.filter((c) => c.entity === s.entity);

  /** The object on both sides, then deleted on the remote and updated locally, `first` first. */
  async function deleteAndUpdate(s: Subject, tag: string, first: 'delete' | 'update'): Promise<void> {
    await db.local.getRepository(s.target).save(s.create(tag));
    await synchronize({ local: db.local, remote: db.remote });
    const remove = async () => db.remote.getRepository(s.target).remove(await load(db.remote, s, tag));
    const update = async () =>
      db.local.getRepository(s.target).save({ ...(await load(db.local, s, tag)), ...s.edit });
    await (first === 'delete' ? remove() : update());
    await pause(30);
    await (first === 'delete' ? update() : remove());
  }

  for (const s of SUBJECTS) {
    it(`${s.kind}: a newer local update wins over an older remote delete, on both sides`, async () => {
      const tag = `ru-${s.entity}`;
      await deleteAndUpdate(s, tag, 'delete');
      const there = await synchronize({ local: db.local, remote: db.remote });
      expect(s.edited(await find(db.remote, s, tag))).toBe(true);
      expect(conflictsOf(there, s)).toEqual([
        expect.objectContaining({ decision: 'local', reason: 'local change is newer' }),
      ]);
      // Back: the remote's delete lost, the row is there again; its log row must not delete the local one.
      const back = await synchronize({ local: db.remote, remote: db.local });
      expect(s.edited(await find(db.local, s, tag))).toBe(true);
      expect(back.counts[s.entity]?.deleted ?? 0).toBe(0);
      expect(conflictsOf(back, s)).toEqual([]);
    });

    it(`${s.kind}: a newer remote delete wins over an older local update, on both sides`, async () => {
      const tag = `dr-${s.entity}`;
      await deleteAndUpdate(s, tag, 'update');
      const there = await synchronize({ local: db.local, remote: db.remote });
      expect(await find(db.remote, s, tag)).toBeNull();
      expect(there.counts[s.entity]?.inserted ?? 0).toBe(0);
      expect(conflictsOf(there, s)).toEqual([
        expect.objectContaining({ decision: 'remote', reason: 'remote change is newer' }),
      ]);
      const back = await synchronize({ local: db.remote, remote: db.local });
      expect(await find(db.local, s, tag)).toBeNull();
      expect(back.counts[s.entity]?.deleted).toBe(1);
    });
  }

  it('a delete the remote re-created since is planned as nothing (dry run)', async () => {
    await deleteAndUpdate(CUSTOMER, 'dry', 'delete');
    await synchronize({ local: db.local, remote: db.remote });
    const plan = await synchronize({ local: db.remote, remote: db.local, dryRun: true });
    expect(plan.plan.filter((p) => p.entity === CUSTOMER.entity)).toEqual([
      expect.objectContaining({ action: 'none', reason: expect.stringContaining('exists locally again') }),
    ]);
  });

  it('a row kept deleted by a newer remote delete is created again for a newer local row that references it', async () => {
    await deleteAndUpdate(CUSTOMER, 'ref', 'update');
    await pause(30);
    const customer = await db.local.getRepository(Customer).findOneByOrFail({ email: 'ref@x' });
    await db.local.getRepository(Order).save({ number: 'ref-order', customer });
    const there = await synchronize({ local: db.local, remote: db.remote });
    const order = await db.remote
      .getRepository(Order)
      .findOne({ where: { number: 'ref-order' }, relations: { customer: true } });
    expect(order?.customer?.email).toBe('ref@x');
    expect(conflictsOf(there, CUSTOMER)).toEqual([
      expect.objectContaining({ decision: 'local', reason: expect.stringContaining('references it') }),
    ]);
    await synchronize({ local: db.remote, remote: db.local });
    expect(await find(db.local, CUSTOMER, 'ref')).not.toBeNull();
  });
});
