import 'reflect-metadata';
import { In, Like, type DataSource } from 'typeorm';
import {
  Comment,
  Doc,
  Enrollment,
  Course,
  Item,
  Line,
  LongKey,
  LONG_KEY_LENGTH,
  Note,
  Owner,
  Shift,
  Student,
  Tag,
} from '../support/capture-entities';
import { loggedBy, openCaptureDataSource, row, type LoggedRow } from '../support/capture-harness';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const sortRows = (rows: LoggedRow[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describeEachDialect('capture: every write path logs exact rows', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;
  let seq = 0;
  const code = (prefix = 'c') => `${prefix}${++seq}`;
  const items = () => ds.getRepository(Item);
  const newItem = (fields: Partial<Item> = {}) => items().save({ code: code(), ...fields });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openCaptureDataSource(db);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  describe('save, remove, soft remove, recover', () => {
    it('save of a new entity logs insert; of a changed one update; of an unchanged one nothing', async () => {
      let item!: Item;
      expect(await loggedBy(ds, async () => (item = await newItem()))).toEqual([
        row('cap_item', { id: item.id }, 'insert'),
      ]);
      item.qty = 5;
      expect(await loggedBy(ds, () => items().save(item))).toEqual([
        row('cap_item', { id: item.id }, 'update'),
      ]);
      expect(await loggedBy(ds, () => items().save(item))).toEqual([]);
      expect(await loggedBy(ds, () => items().save({ id: item.id, qty: 6 }))).toEqual([
        row('cap_item', { id: item.id }, 'update'),
      ]);
    });

    it('save of many entities logs one row each, in one statement per transaction', async () => {
      let saved: Item[] = [];
      const rows = await loggedBy(
        ds,
        async () => (saved = await items().save([{ code: code() }, { code: code() }, { code: code() }])),
      );
      expect(rows).toEqual(saved.map((i) => row('cap_item', { id: i.id }, 'insert')));
    });

    it('remove logs delete with the natural key; soft remove and recover log update', async () => {
      const item = await newItem();
      const id = item.id;
      expect(await loggedBy(ds, () => items().softRemove(item))).toEqual([row('cap_item', { id }, 'update')]);
      expect(await loggedBy(ds, () => items().recover(item))).toEqual([row('cap_item', { id }, 'update')]);
      expect(await loggedBy(ds, () => items().remove(item))).toEqual([
        row('cap_item', { id }, 'delete', [item.code]),
      ]);
    });

    it('a natural key of a date and a relation is stored typed, the relation as the related EncodedKey', async () => {
      const owner = await ds.getRepository(Owner).save({ uuid: 'owner-nk-1' });
      const day = new Date('2026-03-04T05:06:07.000Z');
      const shift = await ds.getRepository(Shift).save({ day, owner });
      const id = shift.id;
      const rows = await loggedBy(ds, () => ds.getRepository(Shift).remove(shift));
      expect(rows).toEqual([
        row('cap_shift', { id }, 'delete', [day, JSON.stringify({ uuid: 'owner-nk-1' })]),
      ]);
      const bulk = await ds.getRepository(Shift).save({ day, owner });
      const viaDelete = await loggedBy(ds, () => ds.getRepository(Shift).delete({ id: bulk.id }));
      expect(viaDelete).toEqual([
        row('cap_shift', { id: bulk.id }, 'delete', [day, JSON.stringify({ uuid: 'owner-nk-1' })]),
      ]);
    });
  });

  describe('insert and upsert', () => {
    it('insert of one and of many values logs insert with the generated keys', async () => {
      let ids: number[] = [];
      const rows = await loggedBy(ds, async () => {
        const one = await items().insert({ code: code() });
        const many = await items().insert([{ code: code() }, { code: code() }]);
        ids = [...one.identifiers, ...many.identifiers].map((i) => Number(i.id));
      });
      expect(rows).toEqual(ids.map((id) => row('cap_item', { id }, 'insert')));
    });

    it('upsert logs update for rows that existed and insert for new ones', async () => {
      const existing = await newItem({ name: 'old' });
      const fresh = code();
      const rows = await loggedBy(ds, () =>
        items().upsert(
          [
            { code: existing.code, name: 'new' },
            { code: fresh, name: 'new' },
          ],
          ['code'],
        ),
      );
      const created = await items().findOneByOrFail({ code: fresh });
      expect(sortRows(rows)).toEqual(
        sortRows([
          row('cap_item', { id: existing.id }, 'update'),
          row('cap_item', { id: created.id }, 'insert'),
        ]),
      );
      expect((await items().findOneByOrFail({ id: existing.id })).name).toBe('new');
    });

    it('an insert that cannot be keyed (updateEntity(false), generated key) fails instead of going unlogged', async () => {
      const lost = code();
      const insert = ds
        .createQueryBuilder()
        .insert()
        .into(Item)
        .values({ code: lost })
        .updateEntity(false)
        .execute();
      await expect(insert).rejects.toMatchObject({ name: 'CaptureFailedError', code: 'CAPTURE_FAILED' });
      expect(await items().countBy({ code: lost })).toBe(0);
    });

    it('QueryBuilder orIgnore logs only the rows it inserted', async () => {
      const existing = await newItem();
      const fresh = code();
      const rows = await loggedBy(ds, () =>
        ds
          .createQueryBuilder()
          .insert()
          .into(Item)
          .values([{ code: existing.code }, { code: fresh }])
          .orIgnore()
          .updateEntity(false)
          .execute(),
      );
      const created = await items().findOneByOrFail({ code: fresh });
      expect(rows).toEqual([row('cap_item', { id: created.id }, 'insert')]);
    });
  });

  describe('writes by criteria (bulk)', () => {
    async function makeItems(n: number, prefix: string): Promise<Item[]> {
      const made: Item[] = [];
      for (let start = 0; start < n; start += 200) {
        const chunk = Array.from({ length: Math.min(200, n - start) }, (_, i) => ({
          code: `${prefix}-${start + i}`,
        }));
        const { identifiers } = await items().insert(chunk);
        made.push(...chunk.map((c, i) => ({ ...c, id: Number(identifiers[i]!.id) }) as Item));
      }
      return made;
    }
    const keysOf = (made: Item[], action: string, withNk = false) =>
      sortRows(made.map((i) => row('cap_item', { id: i.id }, action, withNk ? [i.code] : undefined)));

    it.each([0, 1, 1000])(
      'update, soft delete, restore and delete by criteria of %i rows log exactly those rows',
      async (n) => {
        const prefix = code(`bulk${n}-`);
        const made = await makeItems(n, prefix);
        const where = { code: Like(`${prefix}-%`) };
        expect(sortRows(await loggedBy(ds, () => items().update(where, { qty: 7 })))).toEqual(
          keysOf(made, 'update'),
        );
        expect(sortRows(await loggedBy(ds, () => items().softDelete(where)))).toEqual(keysOf(made, 'update'));
        expect(sortRows(await loggedBy(ds, () => items().restore(where)))).toEqual(keysOf(made, 'update'));
        expect(sortRows(await loggedBy(ds, () => items().delete(where)))).toEqual(
          keysOf(made, 'delete', true),
        );
        expect(await items().countBy(where)).toBe(0);
      },
    );

    it('increment, decrement and QueryBuilder update/softDelete/restore/delete log the touched rows', async () => {
      const [a, b, c] = await makeItems(3, code('qb'));
      const ab = [a!, b!];
      const ids = ab.map((i) => i.id);
      expect(sortRows(await loggedBy(ds, () => items().increment({ id: In(ids) }, 'qty', 2)))).toEqual(
        keysOf(ab, 'update'),
      );
      expect(sortRows(await loggedBy(ds, () => items().decrement({ id: In(ids) }, 'qty', 1)))).toEqual(
        keysOf(ab, 'update'),
      );
      const qb = () => ds.createQueryBuilder();
      expect(
        await loggedBy(ds, () =>
          qb()
            .update(Item)
            .set({ name: () => "'x'" })
            .where('id = :id', { id: c!.id })
            .execute(),
        ),
      ).toEqual([row('cap_item', { id: c!.id }, 'update')]);
      expect(
        await loggedBy(ds, () => qb().softDelete().from(Item).where('id = :id', { id: c!.id }).execute()),
      ).toEqual([row('cap_item', { id: c!.id }, 'update')]);
      expect(
        await loggedBy(ds, () => qb().restore().from(Item).where('id = :id', { id: c!.id }).execute()),
      ).toEqual([row('cap_item', { id: c!.id }, 'update')]);
      expect(
        await loggedBy(ds, () => qb().delete().from(Item).where('id IN (:...ids)', { ids }).execute()),
      ).toEqual(keysOf(ab, 'delete', true));
    });

    it('restore logs only rows that were soft-deleted', async () => {
      const [a, b] = await makeItems(2, code('rs'));
      await items().softDelete({ id: a!.id });
      const rows = await loggedBy(ds, () => items().restore({ id: In([a!.id, b!.id]) }));
      expect(rows).toEqual([row('cap_item', { id: a!.id }, 'update')]);
    });
  });

  describe('key shapes', () => {
    it('UUID, composite and long string keys', async () => {
      const long = 'k'.repeat(LONG_KEY_LENGTH - 1) + 'é';
      let doc!: Doc;
      const rows = await loggedBy(ds, async () => {
        doc = await ds.getRepository(Doc).save({ title: 't' });
        await ds.getRepository(Line).save({ orderNo: 7, lineNo: 2, text: 'x' });
        await ds.getRepository(Line).update({ orderNo: 7 }, { text: 'y' });
        await ds.getRepository(LongKey).save({ key: long });
        await ds.getRepository(LongKey).delete({ key: long });
      });
      expect(doc.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(rows).toEqual([
        row('cap_doc', { id: doc.id }, 'insert'),
        row('cap_line', { orderNo: 7, lineNo: 2 }, 'insert'),
        row('cap_line', { orderNo: 7, lineNo: 2 }, 'update'),
        row('cap_long_key', { key: long }, 'insert'),
        row('cap_long_key', { key: long }, 'delete'),
      ]);
    });

    it('unwatched entities are never logged', async () => {
      expect(
        await loggedBy(ds, async () => {
          const note = await ds.getRepository(Note).save({ text: 'a' });
          await ds.getRepository(Note).update({ id: note.id }, { text: 'b' });
          await ds.getRepository(Note).delete({ id: note.id });
        }),
      ).toEqual([]);
    });
  });

  describe('many-to-many', () => {
    it('saving the owner logs m2m for it; saving the inverse side logs m2m for each changed owner', async () => {
      const [t1, t2] = await ds.getRepository(Tag).save([{ label: code('t') }, { label: code('t') }]);
      let item!: Item;
      expect(await loggedBy(ds, async () => (item = await newItem({ tags: [t1!] })))).toEqual([
        row('cap_item', { id: item.id }, 'insert'),
        row('cap_item', { id: item.id }, 'm2m'),
      ]);
      expect(await loggedBy(ds, () => items().save({ id: item.id, tags: [t2!] }))).toEqual([
        row('cap_item', { id: item.id }, 'm2m'),
      ]);
      const other = await newItem();
      const rows = await loggedBy(ds, () => ds.getRepository(Tag).save({ id: t1!.id, items: [item, other] }));
      expect(sortRows(rows)).toEqual(
        sortRows([row('cap_item', { id: item.id }, 'm2m'), row('cap_item', { id: other.id }, 'm2m')]),
      );
    });

    it('relation().add/remove/addAndRemove from both sides log m2m for the owning side', async () => {
      const [t1, t2] = await ds.getRepository(Tag).save([{ label: code('t') }, { label: code('t') }]);
      const item = await newItem();
      const fromItem = () => ds.createQueryBuilder().relation(Item, 'tags').of(item);
      const fromTag = (t: Tag) => ds.createQueryBuilder().relation(Tag, 'items').of(t);
      const m2m = [row('cap_item', { id: item.id }, 'm2m')];
      expect(await loggedBy(ds, () => fromItem().add([t1!.id, t2!.id]))).toEqual(m2m);
      expect(await loggedBy(ds, () => fromItem().remove(t1!.id))).toEqual(m2m);
      expect(await loggedBy(ds, () => fromTag(t1!).add(item.id))).toEqual(m2m);
      expect(await loggedBy(ds, () => fromTag(t2!).remove(item.id))).toEqual(m2m);
      // addAndRemove runs two statements: one m2m row for each.
      expect(await loggedBy(ds, () => fromItem().addAndRemove([t2!.id], [t1!.id]))).toEqual([...m2m, ...m2m]);
      expect(await ds.createQueryBuilder().relation(Item, 'tags').of(item).loadMany()).toEqual([
        expect.objectContaining({ id: t2!.id }),
      ]);
      expect(await loggedBy(ds, () => fromItem().remove([]))).toEqual([]);
    });

    it('relation().set of a many-to-one logs an update of the entity holding the foreign key', async () => {
      const owner = await ds.getRepository(Owner).save({ uuid: code('owner') });
      const item = await newItem();
      expect(
        await loggedBy(ds, () => ds.createQueryBuilder().relation(Item, 'owner').of(item).set(owner.uuid)),
      ).toEqual([row('cap_item', { id: item.id }, 'update')]);
    });

    it('an explicit junction entity is an ordinary entity: insert, update and delete', async () => {
      const student = await ds.getRepository(Student).save({ name: 's' });
      const course = await ds.getRepository(Course).save({ title: 'c' });
      const key = { studentId: student.id, courseId: course.id };
      const repo = ds.getRepository(Enrollment);
      expect(await loggedBy(ds, () => repo.save({ ...key, grade: 'B' }))).toEqual([
        row('cap_enrollment', key, 'insert'),
      ]);
      expect(await loggedBy(ds, () => repo.update(key, { grade: 'A' }))).toEqual([
        row('cap_enrollment', key, 'update'),
      ]);
      const loaded = await repo.findOneByOrFail(key);
      expect(await loggedBy(ds, () => repo.remove(loaded))).toEqual([row('cap_enrollment', key, 'delete')]);
      await repo.save({ ...key, grade: 'C' });
      expect(await loggedBy(ds, () => repo.delete({ studentId: student.id }))).toEqual([
        row('cap_enrollment', key, 'delete'),
      ]);
    });
  });

  it('rows removed by ON DELETE CASCADE are gone locally and not logged', async () => {
    const item = await newItem();
    const [c1, c2] = await ds.getRepository(Comment).save([
      { body: 'a', item },
      { body: 'b', item },
    ]);
    const rows = await loggedBy(ds, () => items().delete({ id: item.id }));
    expect(rows).toEqual([row('cap_item', { id: item.id }, 'delete', [item.code])]);
    expect(await ds.getRepository(Comment).countBy({ id: In([c1!.id, c2!.id]) })).toBe(0);
  });
});
