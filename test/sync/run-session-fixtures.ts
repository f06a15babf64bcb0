import 'reflect-metadata';
import {
  Column,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type DataSource,
  type DataSourceOptions,
} from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import type { ChangeAction } from '../../src/core/change-action';
import { dialectFor } from '../../src/dialect/dialect-for';
import { synchroEntities, type SyncOptions } from '../../src/index';
import { openRunSession, type RunSession } from '../../src/sync/run-session';
import { resolveSyncOptions } from '../../src/sync/sync-options';
import { logMark } from '../support/capture-harness';
import type { DialectPair } from '../support/describe-dialects';
import type { TestDialect } from '../support/dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

/** A watched entity with a generated integer key. */
@Synchro()
@Entity('rs_item')
export class RsItem {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50 })
  name!: string;
}

/** A watched entity with a composite, application-assigned key. */
@Synchro()
@Entity('rs_line')
export class RsLine {
  @PrimaryColumn({ type: 'int' })
  orderId!: number;

  @PrimaryColumn({ type: 'int' })
  line!: number;

  @Column({ type: 'int', default: 1 })
  qty!: number;
}

/** The same table on a remote whose key is a UUID: incompatible with {@link RsItem}. */
@Entity('rs_item')
export class RsItemUuid {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 50 })
  name!: string;
}

/** The same table on a remote without the `name` column. */
@Entity('rs_item')
export class RsItemNoName {
  @PrimaryGeneratedColumn()
  id!: number;
}

/** One column of each common type, to show that equivalent types pass the schema check across databases. */
@Synchro()
@Entity('rs_typed')
export class RsTyped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'boolean', default: false })
  flag!: boolean;

  @Column({ type: Date, nullable: true })
  at!: Date | null;

  @Column({ type: 'decimal', precision: 10, scale: 2, default: 0 })
  amount!: string;

  @Column({ type: 'bigint', default: 0 })
  big!: string;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  data!: unknown;

  @Column({ type: 'simple-enum', enum: ['a', 'b'], default: 'a' })
  kind!: 'a' | 'b';
}

/** The entities of an ordinary synchronized database. */
export const WATCHED = [RsItem, RsLine, ...synchroEntities];

/** A database of its own and a DataSource on it. */
export interface OpenedDatabase {
  db: TestDatabase;
  ds: DataSource;
}

/** Creates a database and opens a DataSource with `entities` (schema synchronized), capturing changes if asked. */
export async function openDatabase(
  dialect: TestDialect,
  entities: DataSourceOptions['entities'] = WATCHED,
  options: { capture?: boolean } = {},
): Promise<OpenedDatabase> {
  const db = await createTestDatabase(dialect);
  const ds = await openDataSource(db, {
    entities,
    subscribers: options.capture === true ? [SynchroSubscriber] : [],
  });
  return { db, ds };
}

/**
 * One database for the whole `describe` (opened before its tests, dropped after), as a getter of its
 * DataSource.
 *
 * @example
 * const ds = useDatabase(dialect, [...synchroEntities]);
 * it('…', async () => { await ds().query('SELECT 1'); });
 */
export function useDatabase(
  dialect: TestDialect,
  entities: DataSourceOptions['entities'] = WATCHED,
): () => DataSource {
  let opened: OpenedDatabase | undefined;
  beforeAll(async () => {
    opened = await openDatabase(dialect, entities);
  });
  afterAll(() => closeAll(opened));
  return () => {
    if (opened === undefined) throw new Error('useDatabase: used outside a test');
    return opened.ds;
  };
}

/** Opens another DataSource on an existing database (no schema changes). */
export async function reopen(
  opened: OpenedDatabase,
  entities: DataSourceOptions['entities'] = WATCHED,
): Promise<DataSource> {
  return openDataSource(opened.db, { entities, synchronize: false });
}

/** Destroys the DataSources and drops the databases. */
export async function closeAll(...opened: (OpenedDatabase | undefined)[]): Promise<void> {
  for (const o of opened) {
    if (o?.ds.isInitialized === true) await o.ds.destroy();
    await o?.db.drop();
  }
}

/** The databases of one test: `l` (local, `pair.source`) and `r` (remote, `pair.target`). */
export interface PairPerTest {
  readonly l: OpenedDatabase;
  readonly r: OpenedDatabase;
  /** More databases a test opens; closed and dropped with the pair. */
  readonly extra: OpenedDatabase[];
}

/**
 * Opens a fresh local and remote database before each test of the calling `describe` block, and closes
 * and drops them (and `extra`) after it. `l` and `r` always stand for the running test's databases.
 *
 * @example
 * ```ts
 * describeEachPair('openRunSession', (pair) => {
 *   const { l, r } = freshPairPerTest(pair);
 *   it('opens', async () => (await openSession(l.ds, r.ds)).close());
 * });
 * ```
 */
export function freshPairPerTest(pair: DialectPair, options: { capture?: boolean } = {}): PairPerTest {
  let opened: { l?: OpenedDatabase; r?: OpenedDatabase } = {};
  const extra: OpenedDatabase[] = [];
  beforeEach(async () => {
    opened.l = await openDatabase(pair.source, WATCHED, options);
    opened.r = await openDatabase(pair.target, WATCHED, options);
  });
  afterEach(async () => {
    const { l, r } = opened;
    opened = {};
    await closeAll(l, r, ...extra.splice(0));
  });
  const current = (side: 'l' | 'r'): OpenedDatabase => {
    const db = opened[side];
    if (db === undefined) throw new Error('freshPairPerTest: the databases are opened in beforeEach');
    return db;
  };
  const standIn = (side: 'l' | 'r'): OpenedDatabase => ({
    get db() {
      return current(side).db;
    },
    get ds() {
      return current(side).ds;
    },
  });
  return { l: standIn('l'), r: standIn('r'), extra };
}

/** Opens a run session as `synchronize` would, with `extra` options. */
export function openSession(
  local: DataSource,
  remote: DataSource,
  extra: Partial<SyncOptions> = {},
): Promise<RunSession> {
  return openRunSession(resolveSyncOptions({ local, remote, ...extra }));
}

/** The number of rows of `table`. */
export async function countRows(ds: DataSource, table: string): Promise<number> {
  const rows = (await ds.query(`SELECT count(*) AS n FROM ${ds.driver.escape(table)}`)) as { n: unknown }[];
  return Number(rows[0]?.n);
}

/** Row counts of the library's bookkeeping tables, to show that a refused run wrote nothing. */
export async function bookkeeping(ds: DataSource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'synchro_node',
    'synchro_log',
    'synchro_id_map',
    'synchro_cursor',
    'synchro_retry',
    'synchro_lease',
  ]) {
    out[table] = await countRows(ds, table);
  }
  return out;
}

/** Appends a log row with an explicit server time; returns its id. */
export async function insertLog(
  ds: DataSource,
  atMs: number,
  entity = 'rs_item',
  key = '{"id":"1"}',
  action: ChangeAction = 'insert',
): Promise<string> {
  const e = (n: string) => ds.driver.escape(n);
  const p = [1, 2, 3, 4].map(dialectFor(ds).placeholder);
  await ds.query(
    `INSERT INTO ${e('synchro_log')} (${e('entity')}, ${e('object_key')}, ${e('action')}, ${e('at_ms')}, ${e('natural_key')}) ` +
      `VALUES (${p[0]}, ${p[1]}, ${p[2]}, ${p[3]}, 'null')`,
    [entity, key, action, atMs],
  );
  return logMark(ds);
}

/** Writes the same node identity into both databases, as a restored dump would have. */
export async function shareNodeIdentity(a: DataSource, b: DataSource, nodeId: string): Promise<void> {
  for (const ds of [a, b]) {
    const e = (n: string) => ds.driver.escape(n);
    const p = dialectFor(ds).placeholder(1);
    await ds.query(
      `INSERT INTO ${e('synchro_node')} (${e('name')}, ${e('node_id')}, ${e('schema_version')}) VALUES ('self', ${p}, 1)`,
      [nodeId],
    );
  }
}
