import 'reflect-metadata';
import {
  Column,
  DataSource,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  ViewColumn,
  ViewEntity,
  type DataSourceOptions,
} from 'typeorm';
import { registry } from '../../src/capture/decorators';
import {
  InvalidEntityConfigError,
  NaturalKey,
  registerSynchro,
  Synchro,
  SynchroSkip,
  SynchroSubscriber,
  synchroEntities,
} from '../../src/index';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describeEachDialect('capture: entity configuration errors at initialize()', (dialect) => {
  let db: TestDatabase;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function initializeWith(entities: DataSourceOptions['entities']): Promise<unknown> {
    const ds = new DataSource({
      ...db.options,
      entities: [...(entities as never[]), ...synchroEntities],
      subscribers: [SynchroSubscriber],
      synchronize: false,
    } as DataSourceOptions);
    try {
      await ds.initialize();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      if (ds.isInitialized) await ds.destroy();
    }
  }

  function expectConfigError(error: unknown, message: RegExp, column?: string): void {
    expect(error).toBeInstanceOf(InvalidEntityConfigError);
    const err = error as InvalidEntityConfigError;
    expect(err.code).toBe('INVALID_ENTITY_CONFIG');
    expect(err.name).toBe('InvalidEntityConfigError');
    expect(err.message).toMatch(message);
    if (column !== undefined) expect(err.column).toBe(column);
  }

  /** A watched entity with a parent relation; `decorate` adds the decorator under test. */
  function entityWith(
    decorate: (cls: new () => object) => void,
    skip?: 'id' | 'parent' | 'code' | 'required' | 'optional',
  ) {
    @Entity(`cfg_parent_${++n}`)
    class Parent {
      @PrimaryGeneratedColumn() id!: number;
    }
    @Entity(`cfg_child_${n}`)
    class Child {
      @PrimaryGeneratedColumn() id!: number;
      @Column({ type: 'varchar', length: 20 }) code!: string;
      @Column({ type: 'varchar', length: 20 }) required!: string;
      @Column({ type: 'varchar', length: 20, nullable: true }) optional!: string | null;
      @ManyToOne(() => Parent) @JoinColumn({ name: 'parent_id' }) parent!: Parent;
    }
    if (skip !== undefined) SynchroSkip()(Child.prototype, skip);
    decorate(Child);
    Synchro()(Child);
    return [Parent, Child];
  }

  it('@Synchro on a view entity: the view is named, and the tables it reads are the advice', async () => {
    @Entity(`cfg_viewed_${++n}`)
    class Viewed {
      @PrimaryGeneratedColumn() id!: number;
    }
    @ViewEntity({ name: `cfg_view_${n}`, expression: `SELECT id FROM cfg_viewed_${n}` })
    class ReportView {
      @ViewColumn() id!: number;
    }
    Synchro()(ReportView);
    try {
      const error = await initializeWith([Viewed, ReportView]);
      expectConfigError(error, /ReportView is a view \(@ViewEntity\)/);
      expect((error as InvalidEntityConfigError).hint).toMatch(/watch the entities of the tables it reads/);
    } finally {
      registry.decorated.delete(ReportView);
    }
  });

  it('an unknown natural-key field', async () => {
    const error = await initializeWith(entityWith((c) => NaturalKey(['code', 'nope'])(c)));
    expectConfigError(error, /names "nope"/, 'nope');
  });

  it.each([
    ['id', /primary-key/],
    ['parent', /foreign-key column/],
    ['code', /natural-key field/],
    ['required', /NOT NULL without a database default/],
  ] as const)('@SynchroSkip on %s', async (property, message) => {
    const error = await initializeWith(entityWith((c) => NaturalKey(['code'])(c), property));
    expectConfigError(error, message, property);
  });

  it('@SynchroSkip on a nullable column and a natural key of a column and a relation are fine', async () => {
    expect(
      await initializeWith(entityWith((c) => NaturalKey(['code', 'parent'])(c), 'optional')),
    ).toBeUndefined();
  });

  it.each([
    ['@Synchro', (c: new () => object) => Synchro()(c)],
    ['@NaturalKey', (c: new () => object) => NaturalKey(['x'])(c)],
    ['registerSynchro', (c: new () => object) => registerSynchro(c as never)],
  ])('%s on a class that is not an entity', async (_label, mark) => {
    class NotAnEntity {}
    mark(NotAnEntity);
    try {
      const error = await initializeWith(entityWith(() => undefined));
      expectConfigError(error, /NotAnEntity is marked for typeorm-synchro/);
    } finally {
      registry.decorated.delete(NotAnEntity);
      registry.registered.delete(NotAnEntity);
    }
  });
});
