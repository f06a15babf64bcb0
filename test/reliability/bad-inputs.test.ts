import './support/tz';
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  Tree,
  TreeChildren,
  TreeParent,
  type DataSourceOptions,
} from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import {
  ConnectionFailedError,
  InvalidEntityConfigError,
  PermissionDeniedError,
  SchemaMismatchError,
  type SynchroError,
} from '../../src/core/errors';
import { synchroEntities } from '../../src/store/synchro-entities';
import { SYNCHRO_TABLES } from '../../src/store/synchro-tables';
import { synchronize } from '../../src/sync/synchronizer';
import { cli } from '../cli/cli-harness';
import { makeProjectDir, writeCliProject } from '../cli/cli-fixtures';
import { describeEachPair, SYNC_PAIRS } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';
import { availableDialects } from '../support/dialects';
import { mysqlServer } from '../support/servers';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';
import { contentOf, RelParent } from './support/model-entities';
import { openReliabilityPair } from './support/model-suite';

/** Everything a refused run must leave as it was: the data and every library table. */
async function snapshotOf(ds: DataSource): Promise<unknown> {
  const e = (n: string) => ds.driver.escape(n);
  const tables: Record<string, unknown> = {};
  for (const table of Object.values(SYNCHRO_TABLES))
    tables[table] = await ds.query(`SELECT * FROM ${e(table)}`);
  return { tables, content: await contentOf(ds).catch(() => 'no reliability tables') };
}

describeEachPair('bad inputs: the remote schema', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
    await db.ds.A.getRepository(RelParent).save({ uid: 'x1', name: 'waiting' });
  });
  afterAll(async () => db?.close());

  it('a watched table missing on the remote: SchemaMismatchError naming it; nothing changed', async () => {
    const { A, B } = db.ds;
    await B.query(`DROP TABLE ${B.driver.escape('rel_link')}`);
    const before = [await snapshotOf(A), await snapshotOf(B)];
    const error = await synchronize({ local: A, remote: B }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', table: 'rel_link' });
    expect((error as Error).message).toContain('rel_link');
    expect([await snapshotOf(A), await snapshotOf(B)]).toEqual(before);
  });
});

/** Local: a text column. */
@Synchro()
@Entity('rel_typed')
class RelTyped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 20 }) amount!: string;
}

/** The same table on the remote, with an integer column instead. */
@Entity('rel_typed')
class RelTypedInt {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'int' }) amount!: number;
}

describeEachPair('bad inputs: an incompatible column type', (pair) => {
  let dbs: TestDatabase[];
  let local: DataSource;
  let remote: DataSource;
  beforeAll(async () => {
    dbs = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
    const extra = (entities: unknown[]) => ({
      entities: [...(entities as never[]), ...synchroEntities],
      subscribers: [SynchroSubscriber],
    });
    local = await openDataSource(dbs[0] as TestDatabase, extra([RelTyped]));
    remote = await openDataSource(dbs[1] as TestDatabase, extra([RelTypedInt]));
  });
  afterAll(async () => {
    await local?.destroy().catch(() => undefined);
    await remote?.destroy().catch(() => undefined);
    for (const db of dbs ?? []) await db.drop();
  });

  it('varchar locally, int remotely: SchemaMismatchError naming entity and column; nothing changed', async () => {
    await local.getRepository(RelTyped).save({ amount: 'twelve' });
    const before = [await snapshotOf(local), await snapshotOf(remote)];
    const error = await synchronize({ local, remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', column: 'amount' });
    expect([await snapshotOf(local), await snapshotOf(remote)]).toEqual(before);
  });
});

@Synchro()
@Entity()
@Tree('nested-set')
class TreeNested {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent?: TreeNested | null;
  @TreeChildren() children!: TreeNested[];
}

describeEachPair('bad inputs: a nested-set tree', (pair) => {
  const db = useSyncPair(pair, [TreeNested]);

  it('INVALID_ENTITY_CONFIG naming the entity and what it would lose; nothing changed', async () => {
    const { local, remote } = db;
    const tree = local.getTreeRepository(TreeNested);
    await tree.save({ name: 'child', parent: await tree.save({ name: 'root' }) });
    const before = [await snapshotOf(local), await snapshotOf(remote)];
    const error = await synchronize({ local, remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEntityConfigError);
    expect((error as SynchroError).entity).toBe('tree_nested');
    expect((error as SynchroError).message).toContain('left and right positions');
    expect([await snapshotOf(local), await snapshotOf(remote)]).toEqual(before);
    expect(await remote.getRepository(TreeNested).count()).toBe(0);
  });
});

const mysqlAvailable = availableDialects().includes('mysql');

describeEachPair(
  'bad inputs: a wrong password for the remote',
  (pair) => {
    let db: Awaited<ReturnType<typeof openReliabilityPair>>;
    beforeAll(async () => {
      db = await openReliabilityPair(pair);
      await db.ds.A.getRepository(RelParent).save({ uid: 'x1', name: 'waiting' });
    });
    afterAll(async () => db?.close());

    it('(MariaDB; the PostgreSQL server trusts every local login) a typed error naming the remote; nothing changed', async () => {
      const wrong = new DataSource({
        ...(db.options.B as object),
        password: 'not-the-password',
        entities: db.ds.B.options.entities,
      } as DataSourceOptions);
      const before = [await snapshotOf(db.ds.A), await snapshotOf(db.ds.B)];
      const error = await synchronize({ local: db.ds.A, remote: wrong }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionFailedError);
      expect((error as SynchroError).code).toBe('CONNECTION_FAILED');
      expect((error as SynchroError).message).toMatch(
        /^Could not connect to the remote database: Access denied/,
      );
      expect([await snapshotOf(db.ds.A), await snapshotOf(db.ds.B)]).toEqual(before);
    });
  },
  SYNC_PAIRS.filter((p) => p.target === 'mysql'),
);

describeEachPair('bad inputs: the remote database does not exist', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
    await db.ds.A.getRepository(RelParent).save({ uid: 'x1', name: 'waiting' });
  });
  afterAll(async () => db?.close());

  it('CONNECTION_FAILED naming the remote, not a lost connection to retry; nothing changed', async () => {
    // SQLite: a directory where the file should be (TypeORM creates missing directories and files).
    const missing = pair.target === 'sqlite' ? makeProjectDir() : 'synchro_no_such_db';
    const absent = new DataSource({
      ...(db.options.B as object),
      database: missing,
      entities: db.ds.B.options.entities,
    } as DataSourceOptions);
    const before = await snapshotOf(db.ds.A);
    const error = await synchronize({ local: db.ds.A, remote: absent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionFailedError);
    expect((error as SynchroError).toLine()).toMatch(
      /^CONNECTION_FAILED: Could not connect to the remote database: /,
    );
    expect(await snapshotOf(db.ds.A)).toEqual(before);
  });
});

describeEachPair(
  'bad inputs: a local MariaDB user without LOCK TABLES (needed for the log high-water mark)',
  (pair) => {
    it('PERMISSION_DENIED naming the local side, not a failed login; nothing changed', async () => {
      const [l, r] = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
      const extra = { entities: [RelTyped, ...synchroEntities], subscribers: [SynchroSubscriber] };
      const [owner, remote] = [await openDataSource(l, extra), await openDataSource(r, extra)];
      const database = (l.options as { database: string }).database;
      const user = `${database}_u`.slice(-32);
      await owner.query(`CREATE USER ${owner.driver.escape(user)}@'%'`);
      try {
        await owner.query(
          `GRANT SELECT, INSERT, UPDATE, DELETE ON ${owner.driver.escape(database)}.* TO ${owner.driver.escape(user)}@'%'`,
        );
        await owner.getRepository(RelTyped).save({ amount: 'one' });
        const local = new DataSource({
          ...l.options,
          username: user,
          password: '',
          ...extra,
        } as DataSourceOptions);
        const before = await snapshotOf(remote);
        const error = await synchronize({ local, remote }).catch((e: unknown) => e);
        await local.destroy().catch(() => undefined);
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect((error as SynchroError).toLine()).toMatch(
          /^PERMISSION_DENIED: The local database refused an operation: Access denied .*\(grant the local DataSource's user/,
        );
        expect(await snapshotOf(remote)).toEqual(before);
      } finally {
        await owner.query(`DROP USER ${owner.driver.escape(user)}@'%'`);
        await owner.destroy();
        await remote.destroy();
        await l.drop();
        await r.drop();
      }
    });
  },
  SYNC_PAIRS.filter((p) => p.source === 'mysql'),
);

describeEachPair(
  'bad inputs: a remote PostgreSQL user who may read but not write',
  (pair) => {
    it('PERMISSION_DENIED naming the remote; nothing changed', async () => {
      const [l, r] = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
      const extra = { entities: [RelTyped, ...synchroEntities], subscribers: [SynchroSubscriber] };
      const [local, owner] = [await openDataSource(l, extra), await openDataSource(r, extra)];
      const user = `${(r.options as { database: string }).database}_reader`;
      await owner.query(`CREATE ROLE ${owner.driver.escape(user)} LOGIN`);
      try {
        await owner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${owner.driver.escape(user)}`);
        await local.getRepository(RelTyped).save({ amount: 'one' });
        const remote = new DataSource({ ...r.options, username: user, ...extra } as DataSourceOptions);
        const before = await snapshotOf(owner);
        const error = await synchronize({ local, remote }).catch((e: unknown) => e);
        await remote.destroy().catch(() => undefined);
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect((error as SynchroError).toLine()).toMatch(
          /^PERMISSION_DENIED: The remote database refused an operation: permission denied for table /,
        );
        expect(await snapshotOf(owner)).toEqual(before);
      } finally {
        await owner.query(`REASSIGN OWNED BY ${owner.driver.escape(user)} TO CURRENT_USER`);
        await owner.query(`DROP OWNED BY ${owner.driver.escape(user)}`);
        await owner.query(`DROP ROLE ${owner.driver.escape(user)}`);
        await owner.destroy();
        await local.destroy();
        await l.drop();
        await r.drop();
      }
    });
  },
  SYNC_PAIRS.filter((p) => p.target === 'postgres'),
);

describe('bad inputs: the CLI cannot reach a database', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProjectDir();
    writeCliProject(dir, {
      local: { type: 'better-sqlite3', database: join(dir, 'local.sqlite') },
      unreachable: { type: 'postgres', host: '127.0.0.1', port: 1, username: 'x', database: 'x' },
      ...(mysqlAvailable
        ? {
            wrongPassword: {
              type: 'mysql',
              host: mysqlServer.host,
              port: mysqlServer.port,
              username: mysqlServer.user,
              password: 'not-the-password',
              database: 'mysql',
            },
          }
        : {}),
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreachable remote: one line naming the problem, exit code 1', async () => {
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'unreachable.ts'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error CONNECTION_LOST: The remote database could not be reached: .*ECONNREFUSED.* \(check that the server is running/,
    );
  });

  (mysqlAvailable ? it : it.skip)('a wrong password: one line naming the problem, exit code 1', async () => {
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'wrongPassword.ts'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error CONNECTION_FAILED: Could not connect to the remote database: Access denied.* \(check the remote DataSource's user, password/,
    );
  });
});
