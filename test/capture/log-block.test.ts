import 'reflect-metadata';
import { Column, Entity, In, Index, Not, PrimaryColumn, QueryFailedError, type DataSource } from 'typeorm';
import { assumeBlockSupport } from '../../src/capture/log-block';
import { dialectFor } from '../../src/dialect/dialect-for';
import { Synchro, SynchroSubscriber, synchroEntities } from '../../src/index';
import { availableDialects } from '../support/dialects';
import { QueryLog } from '../support/query-log';
import { logMark, readLog, row, type LoggedRow } from '../support/capture-harness';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

/**
 * MariaDB / MySQL: an autocommitted bulk write and its log rows. MariaDB runs them as one anonymous
 * block (one round trip); a server without blocks (MySQL) as a transaction of four statements. Both
 * must be atomic, log the same rows and return what TypeORM returns without the capture.
 */

@Synchro()
@Entity('lb_item')
class Item {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Index() @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
  @Column({ type: 'varchar', length: 20, nullable: true, unique: true }) label!: string | null;
  /** Stored as a date, written and queried as 'YYYY-MM-DD' text: a criterion on it is bound as a Date. */
  @Column({
    type: 'datetime',
    nullable: true,
    transformer: {
      to: (v?: string | null) => (v == null ? v : new Date(`${v}T00:00:00Z`)),
      from: (v?: Date | null) => (v == null ? v : v.toISOString().slice(0, 10)),
    },
  })
  day!: string | null;
}

/** Log rows by their object's integer id. */
const byId = (rows: LoggedRow[]) => [...rows].sort((a, b) => Number(a.key.id) - Number(b.key.id));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

(availableDialects().includes('mysql') ? describe : describe.skip)(
  'capture: autocommitted bulk writes as one block or one transaction [mysql]',
  () => {
    let db: TestDatabase;
    let ds: DataSource;
    let mariadb: boolean;
    const log = new QueryLog();
    let nextId = 1;

    beforeAll(async () => {
      db = await createTestDatabase('mysql');
      ds = await openDataSource(db, {
        entities: [Item, ...synchroEntities],
        subscribers: [SynchroSubscriber],
        logging: ['query'],
        logger: log,
      });
      const rows = (await ds.query('SELECT VERSION() AS v')) as { v: string }[];
      mariadb = /mariadb/i.test(rows[0]?.v ?? '');
    });
    afterAll(async () => {
      await ds?.destroy();
      await db?.drop();
    });

    async function items(tag: string, count: number): Promise<number[]> {
      const ids = Array.from({ length: count }, () => nextId++);
      await ds.getRepository(Item).save(ids.map((id) => ({ id, tag })));
      return ids;
    }

    /** The log rows written after `mark`, in key order (a block inserts them in key-text order). */
    const logAfter = async (mark: string) => byId(await readLog(ds, mark));
    /** The `update` log rows of `ids`, in key order. */
    const updatesOf = (ids: readonly number[]) => byId(ids.map((id) => row('lb_item', { id }, 'update')));

    /**
     * Resolves once the connection `thread` is running the statement that logs (it cannot finish while
     * another transaction holds a row lock it needs; MariaDB does not always list such a wait in
     * INNODB_TRX, so the process list is what is read). Fails after ten seconds.
     */
    async function waitUntilLogging(thread: number): Promise<void> {
      for (let waited = 0; waited < 10_000; waited += 20) {
        const rows = (await ds.query(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query' AND INFO LIKE '%synchro_log%'",
          [thread],
        )) as { n: unknown }[];
        if (Number(rows[0]?.n) > 0) return;
        await sleep(20);
      }
      throw new Error(`connection ${thread} never ran the statement that logs`);
    }

    /** The statements `fn` sends. */
    async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
      const from = log.queries.length;
      await fn();
      return log.queries.slice(from);
    }

    it('an update(criteria) is one round trip on MariaDB and a transaction of its own elsewhere', async () => {
      // A first bulk write asks the server once whether it runs blocks.
      await items('warm-up', 1);
      await ds.getRepository(Item).update({ tag: 'warm-up' }, { qty: 1 });
      const ids = await items('trips', 3);
      const after = await logMark(ds);
      const sent = await statementsOf(() => ds.getRepository(Item).update({ tag: 'trips' }, { qty: 5 }));
      if (mariadb) {
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatch(
          /^BEGIN NOT ATOMIC .*START TRANSACTION; INSERT INTO `synchro_log`.*; UPDATE /s,
        );
      } else {
        expect(sent.map((q) => q.split(' ')[0])).toEqual(['START', 'INSERT', 'UPDATE', 'COMMIT']);
      }
      expect(await logAfter(after)).toEqual(updatesOf(ids));
      expect(await ds.getRepository(Item).countBy({ tag: 'trips', qty: 5 })).toBe(3);
    });

    it('without blocks (as on MySQL): the same rows logged, the same result, nothing left by a failure', async () => {
      const mysqlLike = await openDataSource(db, {
        entities: [Item, ...synchroEntities],
        subscribers: [SynchroSubscriber],
        synchronize: false,
        logging: ['query'],
        logger: log,
      });
      try {
        assumeBlockSupport(mysqlLike, false);
        const repo = mysqlLike.getRepository(Item);
        const ids = await items('no-block', 2);
        const after = await logMark(ds);
        let result: Awaited<ReturnType<typeof repo.update>> | undefined;
        const sent = await statementsOf(
          async () => (result = await repo.update({ tag: 'no-block' }, { qty: 3 })),
        );
        expect(sent.map((q) => q.split(' ')[0])).toEqual(['START', 'INSERT', 'UPDATE', 'COMMIT']);
        expect({ affected: result?.affected, raw: result?.raw as unknown }).toEqual({ affected: 2, raw: [] });
        expect(await logAfter(after)).toEqual(updatesOf(ids));
        const failed = await logMark(ds);
        await expect(repo.update({ tag: 'no-block' }, { label: 'same' })).rejects.toBeInstanceOf(
          QueryFailedError,
        );
        expect(await logMark(ds)).toBe(failed);
      } finally {
        await mysqlLike.destroy();
      }
    });

    it('a statement killed while it waits for a lock leaves no open transaction, no log rows and no change', async () => {
      const [first, second] = await items('killed', 2);
      const holder = ds.createQueryRunner();
      const runner = ds.createQueryRunner();
      await holder.connect();
      await runner.connect();
      try {
        await holder.startTransaction();
        await holder.query('SELECT id FROM lb_item WHERE id = ? FOR UPDATE', [second]);
        const own = (await runner.query('SELECT CONNECTION_ID() AS id')) as { id: unknown }[];
        const after = await logMark(ds);
        const update = runner.manager.update(Item, { tag: 'killed' }, { qty: 8 }).catch((e: unknown) => e);
        const thread = Number(own[0]?.id);
        await waitUntilLogging(thread);
        await ds.query(`KILL QUERY ${thread}`);
        const error = await update;
        await holder.rollbackTransaction();
        expect(error).toBeInstanceOf(QueryFailedError);
        const state = (await runner.query('SELECT @@in_transaction AS open')) as { open: unknown }[];
        expect(Number(state[0]?.open)).toBe(0);
        expect(runner.isTransactionActive).toBe(false);
        expect(await logMark(ds)).toBe(after);
        expect(await ds.getRepository(Item).countBy({ id: first, qty: 8 })).toBe(0);
      } finally {
        if (holder.isTransactionActive) await holder.rollbackTransaction();
        await holder.release();
        await runner.release();
      }
    });

    it('statements of the same text with other values each log exactly their own rows', async () => {
      const repo = ds.getRepository(Item);
      const groups = [await items('same-a', 2), await items('same-b', 3), await items('same-c', 1)];
      for (const [i, tag] of ['same-a', 'same-b', 'same-c'].entries()) {
        const after = await logMark(ds);
        const result = await repo.update({ tag }, { qty: 10 + i });
        expect({ tag, affected: result.affected, keys: await logAfter(after) }).toEqual({
          tag,
          affected: groups[i]!.length,
          keys: updatesOf(groups[i]!),
        });
      }
      for (const ids of [groups[1]!.slice(0, 2), groups[0]!, groups[1]!.slice(1)]) {
        const after = await logMark(ds);
        await repo.update({ id: In(ids), qty: Not(-1) }, { qty: 20 });
        expect(await logAfter(after)).toEqual(updatesOf(ids));
      }
    });

    it('criteria through a transformer (bound as Date objects): each statement logs its own rows', async () => {
      const repo = ds.getRepository(Item);
      const ids = await items('days', 4);
      await repo.update({ id: In(ids.slice(0, 2)) }, { day: '2024-05-01' });
      await repo.update({ id: In(ids.slice(2)) }, { day: '2024-05-02' });
      for (const [day, expected] of [
        ['2024-05-02', ids.slice(2)],
        ['2024-05-01', ids.slice(0, 2)],
      ] as const) {
        const after = await logMark(ds);
        await repo.update({ tag: 'days', day }, { qty: 30 });
        expect(await logAfter(after)).toEqual(updatesOf(expected));
      }
    });

    it('a statement with over a mebibyte of WHERE values is sent as four statements, logged the same', async () => {
      const ids = await items('big', 2);
      const tags = ['big', ...Array.from({ length: 1100 }, (_, i) => `${i}`.padEnd(1000, 'x'))];
      const after = await logMark(ds);
      const sent = await statementsOf(() => ds.getRepository(Item).update({ tag: In(tags) }, { qty: 40 }));
      expect(sent.map((q) => q.split(' ')[0])).toEqual(['START', 'INSERT', 'UPDATE', 'COMMIT']);
      expect(await logAfter(after)).toEqual(updatesOf(ids));
    });

    it('the block raises the database error unchanged', async () => {
      const [a, b] = await items('dup', 2);
      const repo = ds.getRepository(Item);
      const error = await repo.update({ tag: 'dup' }, { label: 'dup' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe(
        'ER_DUP_ENTRY',
      );
      expect(dialectFor(ds).classifyError(error)).toBe('unique');
      expect(
        (await repo.countBy({ id: a, label: 'dup' })) + (await repo.countBy({ id: b, label: 'dup' })),
      ).toBe(0);
    });
  },
);
