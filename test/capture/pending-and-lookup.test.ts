import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import {
  countPendingChanges,
  findByNaturalKey,
  getPendingChanges,
  logChange,
  MultipleNaturalKeyMatchesError,
  runInNoLogContext,
} from '../../src/index';
import { ensureNodeId } from '../../src/store/node-identity';
import { writeCursor } from '../../src/sync/cursor-store';
import { Item, Line, Owner, Place, Shift, Tag } from '../support/capture-entities';
import { logMark, loggedBy, openCaptureDataSource, row } from '../support/capture-harness';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describeEachDialect('capture: pending changes, logChange, findByNaturalKey', (dialect) => {
  let db: TestDatabase;
  let remoteDb: TestDatabase;
  let ds: DataSource;
  let remote: DataSource;
  const e = (name: string) => ds.driver.escape(name);

  beforeAll(async () => {
    [db, remoteDb] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
    ds = await openCaptureDataSource(db);
    remote = await openCaptureDataSource(remoteDb);
  });
  afterAll(async () => {
    await ds?.destroy();
    await remote?.destroy();
    await db?.drop();
    await remoteDb?.drop();
  });

  describe('getPendingChanges', () => {
    let a: Item, b: Item, c: Item, tag: Tag;
    let afterFirst: string;

    beforeAll(async () => {
      await ds.query(`DELETE FROM ${e('synchro_log')}`);
      tag = await ds.getRepository(Tag).save({ label: 'pending' });
      a = await ds.getRepository(Item).save({ code: 'p-a' });
      afterFirst = await logMark(ds);
      b = await ds.getRepository(Item).save({ code: 'p-b' });
      await ds.getRepository(Item).update({ id: a.id }, { qty: 1 });
      c = await ds.getRepository(Item).save({ code: 'p-c', tags: [tag] });
      await ds.getRepository(Item).update({ id: b.id }, { qty: 2 });
      await ds.getRepository(Item).delete({ id: b.id });
      await ds.getRepository(Item).update({ id: c.id }, { qty: 3 });
    });

    it('collapses per object: insert+update → insert, insert+delete → delete, ordered by last change', async () => {
      const pending = await getPendingChanges(ds);
      expect(pending.map(({ entity, key, action }) => ({ entity, key, action }))).toEqual([
        { entity: 'cap_tag', key: { id: String(tag.id) }, action: 'insert' },
        { entity: 'cap_item', key: { id: String(a.id) }, action: 'insert' },
        { entity: 'cap_item', key: { id: String(b.id) }, action: 'delete' },
        { entity: 'cap_item', key: { id: String(c.id) }, action: 'insert' },
      ]);
      expect(
        pending.every((p) => p.at instanceof Date && Math.abs(p.at.getTime() - Date.now()) < 600_000),
      ).toBe(true);
      expect(await getPendingChanges(ds, { limit: 2 })).toEqual(pending.slice(0, 2));
      expect(await countPendingChanges(ds)).toEqual({ cap_item: 3, cap_tag: 1 });
    });

    it('with a remote: only what that remote has not applied (its "in" cursor)', async () => {
      const nodeId = await ensureNodeId(ds);
      await writeCursor(remote, nodeId, 'in', afterFirst);
      const pending = await getPendingChanges(ds, { remote });
      expect(pending.map((p) => [p.key.id, p.action])).toEqual([
        [String(a.id), 'update'],
        [String(b.id), 'delete'],
        [String(c.id), 'insert'],
      ]);
      expect(await countPendingChanges(ds, { remote })).toEqual({ cap_item: 3 });
    });

    it('without a remote: not yet delivered to every known peer (the lowest "out" mirror)', async () => {
      await writeCursor(ds, '00000000-0000-0000-0000-00000000000a', 'out', '999999');
      expect(await countPendingChanges(ds)).toEqual({});
      await writeCursor(ds, '00000000-0000-0000-0000-00000000000b', 'out', afterFirst);
      expect(await countPendingChanges(ds)).toEqual({ cap_item: 3 });
      await ds.query(`DELETE FROM ${e('synchro_cursor')}`);
    });
  });

  describe('logChange', () => {
    it('logs raw-SQL writes by primary value, id map or entity, in the caller’s transaction', async () => {
      const item = await ds.getRepository(Item).save({ code: 'raw-1' });
      await ds.getRepository(Line).save({ orderNo: 1, lineNo: 9, text: 'x' });
      const rows = await loggedBy(ds, () =>
        ds.transaction(async (m) => {
          await m.query(`UPDATE ${e('cap_item')} SET ${e('qty')} = 5 WHERE ${e('id')} = ${item.id}`);
          await logChange(m, Item, [item.id], 'update');
          await logChange(m, Line, { orderNo: 1, lineNo: 9 }, 'update');
          await logChange(m, Item, [item], 'delete');
        }),
      );
      expect(rows).toEqual([
        row('cap_item', { id: item.id }, 'update'),
        row('cap_line', { orderNo: 1, lineNo: 9 }, 'update'),
        row('cap_item', { id: item.id }, 'delete', ['raw-1']),
      ]);
    });

    it('reads the natural key from the row when given only the key, and rolls back with the transaction', async () => {
      const item = await ds.getRepository(Item).save({ code: 'raw-2' });
      expect(await loggedBy(ds, () => logChange(ds.manager, Item, item.id, 'delete'))).toEqual([
        row('cap_item', { id: item.id }, 'delete', ['raw-2']),
      ]);
      const rolledBack = await loggedBy(ds, () =>
        ds
          .transaction(async (m) => {
            await logChange(m, Item, [item.id], 'update');
            throw new Error('abort');
          })
          .catch(() => undefined),
      );
      expect(rolledBack).toEqual([]);
    });

    it('logs even inside runInNoLogContext, and rejects unwatched entities', async () => {
      const item = await ds.getRepository(Item).save({ code: 'raw-3' });
      const rows = await loggedBy(ds, () =>
        runInNoLogContext(() => logChange(ds.manager, Item, [item.id], 'm2m')),
      );
      expect(rows).toEqual([row('cap_item', { id: item.id }, 'm2m')]);
      await expect(logChange(ds.manager, 'cap_note', [1], 'update')).rejects.toThrow(/not watched/);
    });
  });

  describe('findByNaturalKey', () => {
    it('finds the one row, or null', async () => {
      const item = await ds.getRepository(Item).save({ code: 'nk-1' });
      expect((await findByNaturalKey(ds.manager, Item, ['nk-1']))?.id).toBe(item.id);
      expect(await findByNaturalKey(ds.manager, Item, ['nk-missing'])).toBeNull();
    });

    it('relation fields take the related primary value, entity or EncodedKey; dates match', async () => {
      const owner = await ds.getRepository(Owner).save({ uuid: 'nk-owner' });
      const day = new Date('2026-02-03T04:05:06.000Z');
      const shift = await ds.getRepository(Shift).save({ day, owner });
      for (const ownerValue of ['nk-owner', owner, JSON.stringify({ uuid: 'nk-owner' })]) {
        expect((await findByNaturalKey(ds.manager, Shift, [day, ownerValue]))?.id).toBe(shift.id);
      }
      expect(
        await findByNaturalKey(ds.manager, Shift, [new Date('2026-02-03T04:05:07.000Z'), owner]),
      ).toBeNull();
    });

    it('several matches: MultipleNaturalKeyMatchesError, or the first by primary key with allowMany', async () => {
      const owner = await ds.getRepository(Owner).save({ uuid: 'nk-twice' });
      const day = new Date('2026-02-04T00:00:00.000Z');
      await ds.getRepository(Shift).save([
        { day, owner },
        { day, owner },
      ]);
      const error = await findByNaturalKey(ds.manager, Shift, [day, owner]).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MultipleNaturalKeyMatchesError);
      expect((error as MultipleNaturalKeyMatchesError).code).toBe('MULTIPLE_NATURAL_KEY_MATCHES');
      expect((error as Error).message).toMatch(/^2 rows of cap_shift/);
      const [p1] = await ds.getRepository(Place).save([{ city: 'Rome' }, { city: 'Rome' }]);
      expect((await findByNaturalKey(ds.manager, Place, ['Rome']))?.id).toBe(p1!.id);
    });

    it('rejects a wrong number of values', async () => {
      await expect(findByNaturalKey(ds.manager, Item, ['a', 'b'])).rejects.toThrow(
        /natural key has 1 fields, got 2/,
      );
    });
  });
});
