import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { adoptCopy, runInNoLogContext, SameNodeIdentityError, synchronize } from '../../src/index';
import { describeEachPair } from '../support/describe-dialects';
import { freshPairPerTest, RsItem, shareNodeIdentity } from './run-session-fixtures';

async function items(ds: DataSource): Promise<[number, string][]> {
  const rows = await ds.getRepository(RsItem).find({ order: { id: 'ASC' } });
  return rows.map((row) => [row.id, row.name]);
}

describeEachPair('adoptCopy, then synchronize both ways', (pair) => {
  const { l: copy, r: production } = freshPairPerTest(pair, { capture: true });

  beforeEach(async () => {
    // Production logged its rows; the copy holds the same rows and identity, as a restored dump would.
    await production.ds.getRepository(RsItem).save(['a', 'b', 'c'].map((name) => ({ name })));
    await runInNoLogContext(() =>
      copy.ds.getRepository(RsItem).save(['a', 'b', 'c'].map((name) => ({ name }))),
    );
    await shareNodeIdentity(copy.ds, production.ds, '11111111-2222-4333-8444-555555555555');
  });

  it('is refused before adoptCopy', async () => {
    await expect(synchronize({ local: copy.ds, remote: production.ds })).rejects.toThrow(
      SameNodeIdentityError,
    );
  });

  it('updates counterparts instead of duplicating them, in both directions', async () => {
    await adoptCopy(copy.ds, production.ds);
    const fromCopy = copy.ds.getRepository(RsItem);
    await fromCopy.update({ id: 2 }, { name: 'b (edited in the copy)' });
    await fromCopy.save({ name: 'd (new in the copy)' });
    const up = await synchronize({ local: copy.ds, remote: production.ds });
    expect(up.status).toBe('synced');
    expect(up.counts.rs_item).toMatchObject({ inserted: 1, updated: 1 });
    expect(await items(production.ds)).toEqual([
      [1, 'a'],
      [2, 'b (edited in the copy)'],
      [3, 'c'],
      [4, 'd (new in the copy)'],
    ]);

    await production.ds.getRepository(RsItem).update({ id: 3 }, { name: 'c (edited in production)' });
    const down = await synchronize({ local: production.ds, remote: copy.ds });
    expect(down.counts.rs_item).toMatchObject({ inserted: 0, updated: 1 });
    expect(await items(copy.ds)).toEqual([
      [1, 'a'],
      [2, 'b (edited in the copy)'],
      [3, 'c (edited in production)'],
      [4, 'd (new in the copy)'],
    ]);
    expect((await synchronize({ local: copy.ds, remote: production.ds })).status).toBe('no-changes');
    expect((await synchronize({ local: production.ds, remote: copy.ds })).status).toBe('no-changes');
  });
});
