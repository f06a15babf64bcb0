import 'reflect-metadata';
import {
  Column,
  Entity,
  EventSubscriber,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  QueryFailedError,
  type DataSource,
  type EntitySubscriberInterface,
  type ObjectLiteral,
  type UpdateEvent,
} from 'typeorm';
import { dialectFor } from '../../src/dialect/dialect-for';
import { synchronize, Synchro, SynchroSubscriber, synchroEntities } from '../../src/index';
import { availableDialects, type TestDialect } from '../support/dialects';
import { describeEachDialect } from '../support/describe-dialects';
import { QueryLog } from '../support/query-log';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

/**
 * Bulk writes in a transaction of their own log their keys with one INSERT … SELECT … FOR UPDATE where
 * the dialect computes keys in SQL (MySQL / MariaDB), else by reading them first (or RETURNING). Both
 * must write byte for byte the keys the subscriber logs for inserts.
 */

@Synchro()
@Entity('ks_text')
class TextKey {
  @PrimaryColumn({ type: 'varchar', length: 100 }) key!: string;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
  @Column({ type: 'varchar', length: 20, nullable: true, unique: true }) label!: string | null;
}

@Synchro()
@Entity('ks_mixed')
class MixedKey {
  @PrimaryColumn({ type: 'varchar', length: 40 }) region!: string;
  @PrimaryColumn({ type: 'int' }) no!: number;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
}

@Synchro()
@Entity('ks_int')
class IntKey {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
}

@Synchro()
@Entity('ks_big')
class BigKey {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
}

@Synchro()
@Entity('ks_uuid')
class UuidKey {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
}

/** A transformed key has no SQL form: its writes read the keys first. */
@Synchro()
@Entity('ks_transformed')
class TransformedKey {
  @PrimaryColumn({
    type: 'varchar',
    length: 40,
    transformer: { to: (v: string) => v.replace(/^T:/, ''), from: (v: string) => `T:${v}` },
  })
  code!: string;
  @Column({ type: 'varchar', length: 20 }) tag!: string;
  @Column({ type: 'int', default: 0 }) qty!: number;
}

type Keyed = TextKey | MixedKey | IntKey | BigKey | UuidKey | TransformedKey;
const ENTITIES = [TextKey, MixedKey, IntKey, BigKey, UuidKey, TransformedKey];

/** Keys JSON.stringify escapes (quotes, backslashes, control characters) or that are not ASCII. */
const NASTY_TEXT = [
  'plain',
  'quote"d',
  'back\\slash',
  '\\"\\\\',
  'new\nline',
  'tab\there',
  'ctl\u0001\u0008\u000c\u001f',
  'é ü ß',
  'emoji 😀',
  'sep\u2028',
  'trailing  ',
  '{"id":"x"}',
  "apos'trophe %_",
];

let beforeUpdateHook: (() => Promise<void>) | undefined;

/** Runs `beforeUpdateHook` between the key read / log insert and the UPDATE statement itself. */
@EventSubscriber()
class BeforeUpdateHook implements EntitySubscriberInterface {
  async beforeUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> {
    if (event.metadata.tableName === 'ks_text' && beforeUpdateHook !== undefined) await beforeUpdateHook();
  }
}

interface RawLogRow {
  entity: string;
  key: string;
  action: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const byKey = (rows: RawLogRow[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

function rowsOf(dialect: TestDialect, tag: string): Partial<Keyed>[][] {
  const text = dialect === 'postgres' ? NASTY_TEXT : [...NASTY_TEXT, 'nul\u0000'];
  const big = dialect === 'sqlite' ? ['9007199254740991', '-42', '0'] : ['9007199254740993', '-42', '0'];
  return [
    text.map((key) => ({ key, tag })),
    ['north', 'süd "x"'].flatMap((region) => [1, 2].map((no) => ({ region, no, tag }))),
    [-7, 0, 2147483647].map((id) => ({ id, tag })),
    big.map((id) => ({ id, tag })),
    [{ tag }, { tag }],
    ['T:a', 'T:b'].map((code) => ({ code, tag })),
  ];
}

describeEachDialect('capture: bulk writes log their keys with one INSERT … SELECT', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;
  const log = new QueryLog();
  let seq = 0;
  const tagOf = () => `t${++seq}`;
  const fastPath = () => dialectFor(ds).keyTextSql !== undefined;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openDataSource(db, {
      entities: [...ENTITIES, ...synchroEntities],
      subscribers: [SynchroSubscriber, BeforeUpdateHook],
      logging: ['query'],
      logger: log,
    });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function mark(): Promise<string> {
    const rows = (await ds.query(`SELECT MAX(${ds.driver.escape('id')}) AS m FROM synchro_log`)) as {
      m: unknown;
    }[];
    return String(rows[0]?.m ?? '0');
  }

  /**
   * The log rows `fn` wrote, keys as the stored strings, and whether the database computed the keys (one
   * INSERT … SELECT … FOR UPDATE on MySQL, the statement's own writable CTE on PostgreSQL).
   */
  async function logged(fn: () => Promise<unknown>): Promise<{ rows: RawLogRow[]; bySelect: boolean }> {
    const after = await mark();
    const from = log.queries.length;
    await fn();
    const bySelect = log.queries
      .slice(from)
      .some(
        (q) =>
          /^INSERT INTO \W?synchro_log\W? .* FOR UPDATE$/s.test(q) ||
          /^BEGIN NOT ATOMIC .* INSERT INTO \W?synchro_log\W? .* FOR UPDATE; /s.test(q) ||
          /^WITH \W?synchro_touched\W? AS \(.*\) INSERT INTO \W?synchro_log\W? /s.test(q),
      );
    const e = (name: string) => ds.driver.escape(name);
    const rows = (await ds.query(
      `SELECT ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('key')}, ${e('action')} AS ${e('action')} ` +
        `FROM synchro_log WHERE ${e('id')} > ${Number(after)} ORDER BY ${e('id')}`,
    )) as RawLogRow[];
    return { rows, bySelect };
  }

  const as = (rows: RawLogRow[], action: string) => byKey(rows.map((r) => ({ ...r, action })));

  it('integer, bigint, string (quotes, backslashes, control characters, non-ASCII), composite and uuid keys: byte-identical to the insert keys, either path', async () => {
    for (const [i, entity] of ENTITIES.entries()) {
      const tag = tagOf();
      const repo = ds.getRepository<Keyed>(entity);
      const inserted = await logged(() => repo.save(rowsOf(dialect, tag)[i]! as Keyed[]));
      expect(inserted.rows.length).toBeGreaterThan(1);
      const own = await logged(() => repo.update({ tag }, { qty: 1 }));
      const joined = await logged(() => ds.transaction((m) => m.update(entity, { tag }, { qty: 2 })));
      expect({ entity: entity.name, rows: byKey(own.rows) }).toEqual({
        entity: entity.name,
        rows: as(inserted.rows, 'update'),
      });
      expect(byKey(joined.rows)).toEqual(as(inserted.rows, 'update'));
      expect(joined.bySelect).toBe(false);
      expect({ entity: entity.name, bySelect: own.bySelect }).toEqual({
        entity: entity.name,
        bySelect: fastPath() && entity !== TransformedKey,
      });
    }
  });

  it('delete and soft-delete-free delete by criteria log delete rows with the same keys', async () => {
    const tag = tagOf();
    const repo = ds.getRepository(MixedKey);
    const inserted = await logged(() => repo.save(rowsOf(dialect, tag)[1]! as MixedKey[]));
    const deleted = await logged(() => repo.delete({ tag }));
    expect(byKey(deleted.rows)).toEqual(as(inserted.rows, 'delete'));
    expect(deleted.bySelect).toBe(fastPath());
    expect(await repo.countBy({ tag })).toBe(0);
  });

  it('update and delete results count the same rows as TypeORM without the capture, on every path', async () => {
    const plain = await openDataSource(db, { entities: [...ENTITIES, ...synchroEntities], subscribers: [] });
    const results = async (source: DataSource, firstId: number) => {
      const tag = tagOf();
      const repo = source.getRepository(IntKey);
      await repo.save([0, 1, 2].map((n) => ({ id: firstId + n, tag })));
      const own = await repo.update({ tag }, { qty: 7 });
      const joined = await source.transaction((m) => m.update(IntKey, { tag }, { qty: 8 }));
      const removed = await repo.delete({ tag });
      return [own, joined, removed].map((r) => ({ affected: r.affected, raw: r.raw as unknown }));
    };
    try {
      const captured = await results(ds, 7000);
      expect(captured.map((r) => r.affected)).toEqual([3, 3, 3]);
      expect(captured).toEqual(await results(plain, 7100));
    } finally {
      await plain.destroy();
    }
  });

  it('inside a user transaction: keys read first, rows queued in event order and written at commit', async () => {
    const tag = tagOf();
    const repo = ds.getRepository(IntKey);
    await repo.save([{ id: 1001, tag }]);
    const { rows, bySelect } = await logged(() =>
      ds.transaction(async (m) => {
        await m.save(IntKey, { id: 1002, tag });
        await m.update(IntKey, { tag }, { qty: 5 });
        await m.save(IntKey, { id: 1003, tag });
      }),
    );
    expect(bySelect).toBe(false);
    expect(rows.map((r) => [r.key, r.action])).toEqual([
      ['{"id":"1002"}', 'insert'],
      ['{"id":"1001"}', 'update'],
      ['{"id":"1002"}', 'update'],
      ['{"id":"1003"}', 'insert'],
    ]);
  });

  it('an explicit query runner without a transaction gets a transaction of its own', async () => {
    const tag = tagOf();
    await ds.getRepository(IntKey).save([{ id: 2001, tag }]);
    const runner = ds.createQueryRunner();
    try {
      const { rows, bySelect } = await logged(() => runner.manager.update(IntKey, { tag }, { qty: 6 }));
      expect(rows.map((r) => r.key)).toEqual(['{"id":"2001"}']);
      expect(bySelect).toBe(fastPath());
      expect(runner.isTransactionActive).toBe(false);
    } finally {
      await runner.release();
    }
  });

  it('a write that fails leaves no log rows (they were written in its transaction)', async () => {
    const tag = tagOf();
    const repo = ds.getRepository(TextKey);
    await repo.save([
      { key: `${tag}-a`, tag },
      { key: `${tag}-b`, tag },
    ]);
    let error: unknown;
    const { rows } = await logged(() =>
      repo.update({ tag }, { label: tag }).catch((e: unknown) => (error = e)),
    );
    // The database's own error, unchanged: what the application would get without the capture.
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(dialectFor(ds).classifyError(error)).toBe('unique');
    expect(rows).toEqual([]);
    expect(await repo.countBy({ tag, label: tag })).toBe(0);
  });
});

describeEachDialect('capture: bulk-updated objects reach the remote by their logged keys', (dialect) => {
  const entities = [TextKey, MixedKey, IntKey, ...synchroEntities];
  let dbs: TestDatabase[] = [];
  let local: DataSource;
  let remote: DataSource;

  beforeAll(async () => {
    dbs = [await createTestDatabase(dialect), await createTestDatabase('sqlite')];
    const open = (db: TestDatabase) => openDataSource(db, { entities, subscribers: [SynchroSubscriber] });
    [local, remote] = [await open(dbs[0]!), await open(dbs[1]!)];
  });
  afterAll(async () => {
    await local?.destroy();
    await remote?.destroy();
    for (const db of dbs) await db.drop();
  });

  it('a sync after update(criteria) applies it to every object, whatever its key', async () => {
    const tag = 'e2e';
    const [, mixed, ints] = rowsOf(dialect, tag);
    await local.getRepository(TextKey).save(NASTY_TEXT.map((key) => ({ key, tag })));
    await local.getRepository(MixedKey).save(mixed as MixedKey[]);
    await local.getRepository(IntKey).save(ints as IntKey[]);
    expect((await synchronize({ local, remote })).status).toBe('synced');
    for (const entity of [TextKey, MixedKey, IntKey])
      await local.getRepository(entity).update({ tag }, { qty: 42 });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    expect((await remote.getRepository(TextKey).findBy({ tag, qty: 42 })).map((r) => r.key).sort()).toEqual(
      [...NASTY_TEXT].sort(),
    );
    expect(await remote.getRepository(MixedKey).countBy({ tag, qty: 42 })).toBe(4);
    expect(await remote.getRepository(IntKey).countBy({ tag, qty: 42 })).toBe(3);
  });
});

// Pooled databases only: on SQLite one connection cannot race with itself.
for (const dialect of ['postgres', 'mysql'] as const) {
  (availableDialects().includes(dialect) ? describe : describe.skip)(
    `capture: bulk writes by criteria racing other connections, keys logged by the database [${dialect}]`,
    () => {
      let db: TestDatabase;
      let ds: DataSource;

      beforeAll(async () => {
        db = await createTestDatabase(dialect);
        ds = await openDataSource(db, {
          entities: [...ENTITIES, ...synchroEntities],
          subscribers: [SynchroSubscriber, BeforeUpdateHook],
        });
      });
      afterAll(async () => {
        await ds?.destroy();
        await db?.drop();
      });

      async function updateLoggedKeys(tag: string, after: string): Promise<string[]> {
        const rows = (await ds.query(
          `SELECT object_key AS k FROM synchro_log WHERE action = 'update' AND entity = 'ks_text' AND id > ${Number(after)}`,
        )) as { k: string }[];
        return rows.map((r) => r.k).filter((k) => k.includes(tag));
      }

      const keysWith = async (tag: string, qty: number) =>
        (await ds.getRepository(TextKey).findBy({ tag, qty })).map((r) => JSON.stringify({ key: r.key }));

      async function maxLogId(): Promise<string> {
        const rows = (await ds.query('SELECT MAX(id) AS m FROM synchro_log')) as { m: unknown }[];
        return String(rows[0]?.m ?? '0');
      }

      it('a matching row inserted by another connection between the key read and the UPDATE: changed rows = logged rows', async () => {
        const tag = 'race-ins';
        const repo = ds.getRepository(TextKey);
        await repo.save([`${tag}-1`, `${tag}-2`].map((key) => ({ key, tag })));
        const after = await maxLogId();
        let late: Promise<unknown> | undefined;
        beforeUpdateHook = async () => {
          beforeUpdateHook = undefined;
          late = repo.insert({ key: `${tag}-3`, tag });
          await sleep(300);
        };
        try {
          await repo.update({ tag }, { qty: 9 });
        } finally {
          beforeUpdateHook = undefined;
        }
        await late;
        expect((await updateLoggedKeys(tag, after)).sort()).toEqual((await keysWith(tag, 9)).sort());
        expect(await repo.countBy({ tag })).toBe(3);
      });

      it('while the statement waits for a row lock, other transactions still write log rows', async () => {
        const tag = 'race-lock';
        const repo = ds.getRepository(TextKey);
        await repo.save([`${tag}-1`, `${tag}-2`, `${tag}-3`].map((key) => ({ key, tag })));
        const other = ds.createQueryRunner();
        await other.connect();
        await other.startTransaction();
        let update: Promise<unknown> | undefined;
        try {
          // Lock the second matching row, so the update reads the first one and then waits.
          await other.manager
            .createQueryBuilder(TextKey, 't')
            .setLock('pessimistic_write')
            .where('t.key = :k', { k: `${tag}-2` })
            .getOne();
          const after = await maxLogId();
          update = repo.update({ tag }, { qty: 4 });
          await sleep(300);
          const independent = ds.getRepository(IntKey).save({ id: 9001, tag: 'independent' });
          let timer: NodeJS.Timeout | undefined;
          const stalled = new Promise((resolve) => (timer = setTimeout(() => resolve('stalled'), 5000)));
          const outcome = await Promise.race([independent.then(() => 'written'), stalled]);
          clearTimeout(timer);
          expect(outcome).toBe('written');
          await other.commitTransaction();
          await update;
          expect((await updateLoggedKeys(tag, after)).sort()).toEqual((await keysWith(tag, 4)).sort());
          expect(await keysWith(tag, 4)).toHaveLength(3);
        } finally {
          if (other.isTransactionActive) await other.rollbackTransaction();
          await update?.catch(() => undefined);
          await other.release();
        }
      });
    },
  );
}
