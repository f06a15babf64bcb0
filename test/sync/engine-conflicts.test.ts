import 'reflect-metadata';
import { synchronize } from '../../src/sync/synchronizer';
import type { SyncConflict } from '../../src/sync/sync-options';
import { describeEachPair } from '../support/describe-dialects';
import { Customer, useSyncPair } from '../support/sync-fixtures';

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
});
