import 'reflect-metadata';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { writeLogRows } from '../../src/capture/log-writer';
import { MultipleNaturalKeyMatchesError, RemoteConstraintError } from '../../src/core/errors';
import { readNodeId } from '../../src/store/node-identity';
import { readCursor } from '../../src/sync/cursor-store';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { countTable, Customer, Product, useSyncPair } from '../support/sync-fixtures';

describeEachPair('engine failing objects', (pair) => {
  const db = useSyncPair(pair);
  beforeAll(async () => {
    await synchronize({ local: db.local, remote: db.remote });
  });

  const inCursor = async () =>
    (await readCursor(db.remote, (await readNodeId(db.local)) as string, 'in'))?.logId;
  const remoteProducts = () => db.remote.getRepository(Product);

  it("onError 'abort': several natural-key matches fail the run, nothing is applied, the checkpoint stays", async () => {
    await runInNoLogContext(() =>
      remoteProducts().save([
        { sku: 'dup', code: 'r1' },
        { sku: 'dup', code: 'r2' },
      ]),
    );
    await db.local.getRepository(Customer).save({ email: 'ok@x', name: 'fine' });
    await db.local.getRepository(Product).save({ sku: 'dup', code: 'l1' });
    const before = await inCursor();
    const error = await synchronize({ local: db.local, remote: db.remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipleNaturalKeyMatchesError);
    expect(error).toMatchObject({ entity: 'fx_product', code: 'MULTIPLE_NATURAL_KEY_MATCHES' });
    expect(await db.remote.getRepository(Customer).countBy({ email: 'ok@x' })).toBe(0);
    expect(await inCursor()).toBe(before);
  });

  it('a dry run reports what would fail: typed error with abort, a skipped entry with skip', async () => {
    const abort = await synchronize({ local: db.local, remote: db.remote, dryRun: true }).catch(
      (e: unknown) => e,
    );
    expect(abort).toBeInstanceOf(MultipleNaturalKeyMatchesError);
    const dry = await synchronize({ local: db.local, remote: db.remote, dryRun: true, onError: 'skip' });
    expect(dry.status).toBe('dry-run');
    expect(dry.skipped).toEqual([
      expect.objectContaining({ entity: 'fx_product', code: 'MULTIPLE_NATURAL_KEY_MATCHES' }),
    ]);
    expect(dry.plan).toEqual(
      expect.arrayContaining([expect.objectContaining({ entity: 'fx_customer', action: 'insert' })]),
    );
    expect(await countTable(db.remote, 'synchro_retry')).toBe(0);
  });

  it("onError 'skip': the object is reported and retried by the next run; everything else is applied", async () => {
    const result = await synchronize({ local: db.local, remote: db.remote, onError: 'skip' });
    expect(result.skipped).toEqual([
      expect.objectContaining({ entity: 'fx_product', code: 'MULTIPLE_NATURAL_KEY_MATCHES' }),
    ]);
    expect(result.counts.fx_product?.skipped).toBe(1);
    expect(await db.remote.getRepository(Customer).countBy({ email: 'ok@x' })).toBe(1);
    expect(await countTable(db.remote, 'synchro_retry')).toBe(1);
    await runInNoLogContext(() => remoteProducts().delete({ code: 'r2' }));
    const retry = await synchronize({ local: db.local, remote: db.remote, onError: 'skip' });
    expect(retry.status).toBe('synced');
    expect(retry.skipped).toEqual([]);
    expect(retry.counts.fx_product).toMatchObject({ updated: 1 });
    expect((await remoteProducts().findOneByOrFail({ sku: 'dup' })).code).toBe('l1');
    expect(await countTable(db.remote, 'synchro_retry')).toBe(0);
  });

  it('a remote constraint failure is a RemoteConstraintError naming the entity', async () => {
    await runInNoLogContext(() => remoteProducts().save({ sku: 'other', code: 'taken' }));
    await db.local.getRepository(Product).save({ sku: 'mine', code: 'taken' });
    const error = await synchronize({ local: db.local, remote: db.remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteConstraintError);
    expect(error).toMatchObject({ entity: 'fx_product', constraint: 'unique', code: 'REMOTE_CONSTRAINT' });
    await runInNoLogContext(() => remoteProducts().delete({ code: 'taken' }));
    await synchronize({ local: db.local, remote: db.remote });
    expect((await remoteProducts().findOneByOrFail({ code: 'taken' })).sku).toBe('mine');
  });

  it('a logged object that no longer exists locally is skipped with a reason and never blocks later runs', async () => {
    const runner = db.local.createQueryRunner();
    await writeLogRows(runner, [{ entity: 'fx_customer', key: '{"id":"999999"}', action: 'update' }]);
    await runner.release();
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.skipped).toEqual([
      expect.objectContaining({ entity: 'fx_customer', key: { id: '999999' }, code: 'MISSING_LOCALLY' }),
    ]);
    expect((await synchronize({ local: db.local, remote: db.remote })).status).toBe('no-changes');
  });

  it("commit 'batch': committed batches stay when a later one fails, and the rerun completes without duplicates", async () => {
    await db.local
      .getRepository(Customer)
      .save(Array.from({ length: 4 }, (_, i) => ({ email: `batch${i}@x`, name: `B${i}` })));
    await runInNoLogContext(() => remoteProducts().save({ sku: 'x', code: 'clash' }));
    await db.local.getRepository(Product).save({ sku: 'y', code: 'clash' });
    const before = await inCursor();
    const error = await synchronize({
      local: db.local,
      remote: db.remote,
      commit: 'batch',
      batchSize: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteConstraintError);
    expect(await db.remote.getRepository(Customer).countBy({ name: 'B0' })).toBe(1);
    expect(BigInt((await inCursor()) ?? '0')).toBeGreaterThan(BigInt(before ?? '0'));
    await runInNoLogContext(() => remoteProducts().delete({ code: 'clash' }));
    await synchronize({ local: db.local, remote: db.remote, commit: 'batch', batchSize: 2 });
    for (let i = 0; i < 4; i++)
      expect(await db.remote.getRepository(Customer).countBy({ name: `B${i}` })).toBe(1);
    expect((await remoteProducts().findOneByOrFail({ code: 'clash' })).sku).toBe('y');
  });
});

describeEachPair('engine deletes found by their stored natural key', (pair) => {
  const db = useSyncPair(pair);

  it('several remote rows with the deleted natural key: a typed error, nothing deleted', async () => {
    const remote = db.remote.getRepository(Product);
    await runInNoLogContext(() =>
      remote.save([
        { sku: 'gone', code: 'g1' },
        { sku: 'gone', code: 'g2' },
      ]),
    );
    // Known locally only through its natural key: created without logging, deleted with it.
    const local = db.local.getRepository(Product);
    const product = await runInNoLogContext(() => local.save({ sku: 'gone', code: 'g0' }));
    await local.remove(product);
    const error = await synchronize({ local: db.local, remote: db.remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipleNaturalKeyMatchesError);
    expect(error).toMatchObject({ entity: 'fx_product', code: 'MULTIPLE_NATURAL_KEY_MATCHES' });
    expect(await remote.countBy({ sku: 'gone' })).toBe(2);
  });
});
