import 'reflect-metadata';
import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
  type DataSource,
  type DataSourceOptions,
  type EntityTarget,
  type ObjectLiteral,
} from 'typeorm';
import { NaturalKey, Synchro, SynchroSkip } from '../../src/capture/decorators';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import { synchroEntities } from '../../src/store/synchro-entities';
import type { DialectPair } from './describe-dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from './test-database';

/** An unwatched lookup table with a natural primary key: a foreign-key target the remote may lack. */
@Entity('fx_country')
export class Country {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  code!: string;

  @Column({ type: 'varchar', length: 60 })
  name!: string;
}

/** Generated key, natural key `email`, a skip field and an FK to an unwatched entity. */
@NaturalKey(['email'])
@Synchro()
@Entity('fx_customer')
export class Customer {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 120, unique: true })
  email!: string;

  @Column({ type: 'varchar', length: 120 })
  name!: string;

  @SynchroSkip()
  @Column({ type: 'int', default: 7 })
  visits!: number;

  @ManyToOne(() => Country, { nullable: true })
  country?: Country | null;
}

/** Generated key without a natural key; FK to a watched entity. */
@Synchro()
@Entity('fx_order')
export class Order {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  number!: string;

  @Column({ type: 'decimal', precision: 10, scale: 2, default: 0 })
  total!: string;

  @ManyToOne(() => Customer, { nullable: true, onDelete: 'CASCADE' })
  customer?: Customer | null;
}

/** Natural key `label`; the m2m target. */
@NaturalKey(['label'])
@Synchro()
@Entity('fx_tag')
export class Tag {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 60, unique: true })
  label!: string;
}

/** Self-reference and a many-to-many relation without an inverse side. */
@Synchro()
@Entity('fx_post')
export class Post {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 120 })
  title!: string;

  @ManyToOne(() => Post, { nullable: true })
  parent?: Post | null;

  @ManyToMany(() => Tag)
  @JoinTable({ name: 'fx_post_tags' })
  tags?: Tag[];
}

/** Half of a foreign-key cycle Author → Book → Author. */
@Synchro()
@Entity('fx_author')
export class Author {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 80 })
  name!: string;

  @ManyToOne(() => Book, { nullable: true })
  favorite?: Book | null;
}

/** The other half of the cycle. */
@Synchro()
@Entity('fx_book')
export class Book {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 80 })
  title!: string;

  @ManyToOne(() => Author, { nullable: true })
  author?: Author | null;
}

/** A non-generated primary key: the same key is used on the remote; dates and version copied as they are. */
@Synchro()
@Entity('fx_setting')
export class Setting {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name!: string;

  @Column({ type: 'varchar', length: 200 })
  value!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}

/** Natural key `sku` that is NOT unique (several matches possible), and a unique `code`. */
@NaturalKey(['sku'])
@Synchro()
@Entity('fx_product')
export class Product {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  sku!: string;

  @Column({ type: 'varchar', length: 40, unique: true })
  code!: string;
}

/** A natural key made of a relation and a column: (customer, kind). */
@NaturalKey(['customer', 'kind'])
@Synchro()
@Entity('fx_address')
export class Address {
  @PrimaryGeneratedColumn()
  id!: number;

  @ManyToOne(() => Customer, { nullable: false, onDelete: 'CASCADE' })
  customer!: Customer;

  @Column({ type: 'varchar', length: 20 })
  kind!: string;

  @Column({ type: 'varchar', length: 120 })
  street!: string;
}

/** An explicit junction entity: its primary key is made of two foreign keys to generated keys. */
@Synchro()
@Entity('fx_membership')
export class Membership {
  @PrimaryColumn({ type: 'int' })
  customerId!: number;

  @PrimaryColumn({ type: 'int' })
  tagId!: number;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customerId' })
  customer?: Customer;

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tagId' })
  tag?: Tag;

  @Column({ type: 'varchar', length: 20 })
  role!: string;
}

/** Every fixture entity. */
export const FIXTURE_ENTITIES = [
  Country,
  Customer,
  Order,
  Tag,
  Post,
  Author,
  Book,
  Setting,
  Product,
  Address,
  Membership,
];

/** A local and a remote database with the same entities, both logging their own writes. */
export interface SyncPair {
  readonly local: DataSource;
  readonly remote: DataSource;
  close(): Promise<void>;
}

/** What a test needs beyond the entities when it opens a {@link SyncPair}. */
export interface SyncPairOptions {
  /** Runs on each fresh database before its DataSource opens (e.g. `CREATE SCHEMA`). */
  prepare?: (db: TestDatabase) => Promise<void>;
  /** More options for the remote DataSource (a query logger, say). */
  remote?: Partial<DataSourceOptions>;
}

/**
 * Creates two fresh databases for `pair` and opens a DataSource on each, with `entities`, the library's
 * tables and the SynchroSubscriber (the remote logs its own native edits, for conflict tests).
 */
export async function openSyncPair(
  pair: DialectPair,
  entities: readonly unknown[] = FIXTURE_ENTITIES,
  options: SyncPairOptions = {},
): Promise<SyncPair> {
  const dbs: TestDatabase[] = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
  for (const db of dbs) await options.prepare?.(db);
  const open = (db: TestDatabase, extra: Partial<DataSourceOptions> = {}) =>
    openDataSource(db, {
      ...extra,
      entities: [...(entities as never[]), ...synchroEntities],
      subscribers: [SynchroSubscriber],
    });
  const local = await open(dbs[0] as TestDatabase);
  const remote = await open(dbs[1] as TestDatabase, options.remote);
  return {
    local,
    remote,
    close: async () => {
      await local.destroy().catch(() => undefined);
      await remote.destroy().catch(() => undefined);
      for (const db of dbs) await db.drop();
    },
  };
}

/**
 * The {@link SyncPair} of the calling `describe` block: opened (with `entities`) in a `beforeAll`,
 * closed in an `afterAll`. `local` and `remote` are read when a hook or test runs, so hooks registered
 * after this call already see the open pair.
 *
 * @example
 * ```ts
 * describeEachPair('engine basics', (pair) => {
 *   const db = useSyncPair(pair);
 *   it('syncs', () => synchronize({ local: db.local, remote: db.remote }));
 * });
 * ```
 */
export function useSyncPair(
  pair: DialectPair,
  entities?: readonly unknown[],
  options?: SyncPairOptions,
): SyncPair {
  let opened: SyncPair | undefined;
  beforeAll(async () => {
    opened = await openSyncPair(pair, entities, options);
  });
  afterAll(async () => opened?.close());
  const current = (): SyncPair => {
    if (opened === undefined)
      throw new Error('useSyncPair: the pair is opened in beforeAll; read it in a hook or test');
    return opened;
  };
  return {
    get local() {
      return current().local;
    },
    get remote() {
      return current().remote;
    },
    close: () => current().close(),
  };
}

/** All rows of an entity, ordered by the given property. */
export async function rowsOf<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  orderBy: string,
  relations: readonly string[] = [],
): Promise<T[]> {
  const rel = Object.fromEntries(relations.map((r) => [r, true]));
  return ds.getRepository(target).find({ order: { [orderBy]: 'ASC' } as never, relations: rel as never });
}

/** Row count of a library table (e.g. `synchro_log`). */
export async function countTable(ds: DataSource, table: string): Promise<number> {
  const rows = (await ds.query(`SELECT COUNT(*) AS n FROM ${ds.driver.escape(table)}`)) as { n: unknown }[];
  return Number(rows[0]?.n ?? 0);
}

/** Deletes every row of the given entities (children first), without logging. */
export async function clearEntities(ds: DataSource, tables: readonly string[]): Promise<void> {
  for (const table of tables) await ds.query(`DELETE FROM ${ds.driver.escape(table)}`);
}

/** Every portable column type, for the round-trip tests. */
@Synchro()
@Entity('fx_type_sample')
export class TypeSample {
  /** A UUID primary key (not generated by the database: the same key on both sides). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: Date, precision: 3, nullable: true })
  happenedAt!: Date | null;

  @Column({ type: 'date', nullable: true })
  day!: string | null;

  @Column({ type: Boolean, default: false })
  flag!: boolean;

  @Column({ type: 'decimal', precision: 12, scale: 4, nullable: true })
  amount!: string | null;

  @Column({ type: 'bigint', nullable: true })
  big!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  data!: unknown;

  @Column({ type: 'simple-enum', enum: ['red', 'green', 'blue'], default: 'green' })
  color!: 'red' | 'green' | 'blue';

  @Column({ type: 'varchar', length: 80, nullable: true })
  note!: string | null;

  @Column({ type: 'int', default: 5 })
  withDefault!: number;
}
