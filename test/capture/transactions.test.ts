import 'reflect-metadata';
import { In, type DataSource, type Logger } from 'typeorm';
import { NoSynchroLog, runInNoLogContext } from '../../src/index';
import { Item } from '../support/capture-entities';
import { loggedBy, openCaptureDataSource, row } from '../support/capture-harness';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** Counts statements that write the log, to check one multi-row INSERT per transaction. */
class LogInsertCounter implements Logger {
  count = 0;
  logQuery(query: string): void {
    // Any statement that writes log rows, whatever it starts with (PostgreSQL's bulk form opens with a CTE).
    if (/\bINSERT INTO\s+\W?synchro_log\W?\s/i.test(query)) this.count++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachDialect('capture: atomicity, savepoints, no-log context', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;
  let plain: DataSource;
  const counter = new LogInsertCounter();
  let seq = 0;
  const code = (prefix = 't') => `${prefix}${++seq}`;
  const items = () => ds.getRepository(Item);
  const e = (name: string) => ds.driver.escape(name);

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openCaptureDataSource(db, { logging: true, logger: counter });
    plain = await openCaptureDataSource(db, { subscriber: false, synchronize: false });
  });
  afterAll(async () => {
    await plain?.destroy();
    await ds?.destroy();
    await db?.drop();
  });

  it('a rolled-back transaction leaves no log rows, for entity and bulk writes alike', async () => {
    const kept = await items().save({ code: code() });
    const rows = await loggedBy(ds, () =>
      ds
        .transaction(async (m) => {
          await m.save(Item, { code: code() });
          await m.update(Item, { id: kept.id }, { qty: 9 });
          await m.delete(Item, { id: kept.id });
          throw new Error('abort');
        })
        .catch(() => undefined),
    );
    expect(rows).toEqual([]);
    expect((await items().findOneByOrFail({ id: kept.id })).qty).toBe(0);
  });

  it('writes one multi-row log INSERT per transaction', async () => {
    const before = counter.count;
    await ds.transaction(async (m) => {
      await m.save(Item, [{ code: code() }, { code: code() }]);
      await m.save(Item, { code: code() });
      await m.update(Item, { code: In(['none']) }, { qty: 1 });
    });
    expect(counter.count - before).toBe(1);
  });

  it('a rolled-back savepoint drops only its own rows; a released one keeps them', async () => {
    let a!: Item, c!: Item, d!: Item;
    const rows = await loggedBy(ds, () =>
      ds.transaction(async (m) => {
        a = await m.save(Item, { code: code() });
        await m
          .transaction(async (inner) => {
            await inner.save(Item, { code: code() });
            await inner.update(Item, { id: a.id }, { qty: 5 });
            throw new Error('inner abort');
          })
          .catch(() => undefined);
        d = await m.transaction((inner) => inner.save(Item, { code: code() }));
        c = await m.save(Item, { code: code() });
      }),
    );
    expect(rows).toEqual([
      row('cap_item', { id: a.id }, 'insert'),
      row('cap_item', { id: d.id }, 'insert'),
      row('cap_item', { id: c.id }, 'insert'),
    ]);
    expect((await items().findOneByOrFail({ id: a.id })).qty).toBe(0);
  });

  it('an explicit query runner rolled back leaves no rows', async () => {
    const runner = ds.createQueryRunner();
    const rows = await loggedBy(ds, async () => {
      await runner.startTransaction();
      await runner.manager.save(Item, { code: code() });
      await runner.manager.getRepository(Item).update({ code: In(['none']) }, { qty: 2 });
      await runner.rollbackTransaction();
    });
    await runner.release();
    expect(rows).toEqual([]);
  });

  it('a failing log write fails the user write, which is rolled back', async () => {
    const item = await items().save({ code: code() });
    await ds.query(`ALTER TABLE ${e('synchro_log')} RENAME TO ${e('synchro_log_off')}`);
    try {
      const lost = code();
      await expect(items().save({ code: lost })).rejects.toThrow();
      await expect(items().insert({ code: lost })).rejects.toThrow();
      await expect(items().update({ id: item.id }, { qty: 4 })).rejects.toThrow();
      await expect(items().delete({ id: item.id })).rejects.toThrow();
      expect(await plain.getRepository(Item).countBy({ code: lost })).toBe(0);
      expect((await plain.getRepository(Item).findOneByOrFail({ id: item.id })).qty).toBe(0);
    } finally {
      await ds.query(`ALTER TABLE ${e('synchro_log_off')} RENAME TO ${e('synchro_log')}`);
    }
  });

  it('writes inside runInNoLogContext are not logged, however nested; logging resumes after it', async () => {
    let outside!: Item;
    const rows = await loggedBy(ds, async () => {
      const value = await runInNoLogContext(async () => {
        const x = await items().save({ code: code() });
        await runInNoLogContext(() => items().update({ id: x.id }, { qty: 1 }));
        await ds.transaction(async (m) => {
          await m.save(Item, { code: code() });
          await m.delete(Item, { id: x.id });
        });
        await Promise.all([items().insert({ code: code() }), items().upsert({ code: code() }, ['code'])]);
        return 42;
      });
      expect(value).toBe(42);
      expect(runInNoLogContext(() => 'sync')).toBe('sync');
      outside = await items().save({ code: code() });
    });
    expect(rows).toEqual([row('cap_item', { id: outside.id }, 'insert')]);
  });

  it('two concurrent flows: only the one outside the no-log context is logged', async () => {
    const inside: Item[] = [];
    const logged: Item[] = [];
    const flow = async (sink: Item[]) => {
      for (let i = 0; i < 5; i++) {
        const item = await items().save({ code: code() });
        sink.push(item);
        await tick();
        await items().update({ id: item.id }, { qty: i });
      }
    };
    const rows = await loggedBy(ds, () => Promise.all([runInNoLogContext(() => flow(inside)), flow(logged)]));
    expect(rows).toEqual(
      logged.flatMap((i) => [
        row('cap_item', { id: i.id }, 'insert'),
        row('cap_item', { id: i.id }, 'update'),
      ]),
    );
  });

  it('@NoSynchroLog() methods are not logged; their callers are', async () => {
    class Service {
      @NoSynchroLog()
      async silent(): Promise<Item> {
        return items().save({ code: code() });
      }
    }
    let loud!: Item;
    const rows = await loggedBy(ds, async () => {
      const quiet = await new Service().silent();
      expect(quiet.id).toBeGreaterThan(0);
      loud = await items().save({ code: code() });
    });
    expect(rows).toEqual([row('cap_item', { id: loud.id }, 'insert')]);
  });

  it('writes through a DataSource without SynchroSubscriber, or with listeners off, are not logged', async () => {
    const repo = plain.getRepository(Item);
    const rows = await loggedBy(ds, async () => {
      const item = await repo.save({ code: code() });
      await repo.insert({ code: code() });
      await repo.upsert({ code: item.code, name: 'u' }, ['code']);
      await repo.update({ id: item.id }, { qty: 1 });
      await repo.softDelete({ id: item.id });
      await repo.delete({ id: item.id });
      const quiet = await items().save({ code: code() }, { listeners: false });
      await ds
        .createQueryBuilder()
        .update(Item)
        .set({ qty: 2 })
        .where({ id: quiet.id })
        .callListeners(false)
        .execute();
      await ds
        .createQueryBuilder()
        .delete()
        .from(Item)
        .where({ id: quiet.id })
        .callListeners(false)
        .execute();
    });
    expect(rows).toEqual([]);
  });

  it('leaves the result objects of update, delete, soft delete, restore and increment as TypeORM returns them', async () => {
    const make = async (source: DataSource) => {
      const { identifiers } = await source.getRepository(Item).insert([{ code: code() }, { code: code() }]);
      return identifiers.map((i) => Number(i.id));
    };
    const ops = [
      (r: DataSource, ids: number[]) => r.getRepository(Item).update({ id: In(ids) }, { qty: 3 }),
      (r: DataSource, ids: number[]) => r.getRepository(Item).increment({ id: In(ids) }, 'qty', 1),
      (r: DataSource, ids: number[]) => r.getRepository(Item).softDelete({ id: In(ids) }),
      (r: DataSource, ids: number[]) => r.getRepository(Item).restore({ id: In(ids) }),
      (r: DataSource, ids: number[]) =>
        r
          .createQueryBuilder()
          .update(Item)
          .set({ qty: 0 })
          .where({ id: In(ids) })
          .execute(),
      (r: DataSource, ids: number[]) => r.getRepository(Item).delete({ id: In(ids) }),
      (r: DataSource, ids: number[]) => r.getRepository(Item).delete({ id: In(ids) }),
    ];
    const [logged, unlogged] = [await make(ds), await make(plain)];
    for (const op of ops) {
      const withCapture = await op(ds, logged);
      const without = await op(plain, unlogged);
      expect(withCapture).toEqual(without);
    }
  });

  it('concurrent transactions on one DataSource do not swallow each other (SQLite: one connection)', async () => {
    const target = await items().save({ code: code() });
    let failing!: Item;
    const rows = await loggedBy(ds, () =>
      Promise.all([
        ds
          .transaction(async (m) => {
            failing = await m.save(Item, { code: code() });
            await tick();
            throw new Error('abort A');
          })
          .catch(() => undefined),
        (async () => {
          await tick();
          await items().update({ id: target.id }, { qty: 8 });
        })(),
      ]),
    );
    expect(rows).toEqual([row('cap_item', { id: target.id }, 'update')]);
    expect((await items().findOneByOrFail({ id: target.id })).qty).toBe(8);
    expect(await items().countBy({ id: failing.id })).toBe(0);
  });
});
