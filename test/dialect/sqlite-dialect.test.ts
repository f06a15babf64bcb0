import 'reflect-metadata';
import type { DataSource, QueryRunner } from 'typeorm';
import { newLeaseOwner } from '../../src/dialect/lease-owner';
import { sqliteDialect } from '../../src/dialect/sqlite-dialect';
import { synchroEntities } from '../../src/store/synchro-entities';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';
import { spawnLeaseHolder, type LeaseHolder } from './support/lease-holder';

/** Above every Linux pid_max (at most 2^22) and a valid kill() argument: no process has it. */
const NO_SUCH_PID = 2147483647;
const NONCE = '0123456789ab';

describe('sqliteDialect: the run lease on a real SQLite file', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = await createTestDatabase('sqlite');
    ds = await openDataSource(db, { entities: [...synchroEntities] });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await ds.destroy();
    await db.drop();
  });

  async function holder(): Promise<LeaseHolder> {
    const held = await spawnLeaseHolder((db.options as { database: string }).database);
    cleanups.push(() => held.kill());
    return held;
  }

  async function acquire(on: DataSource, timeoutMs: number): Promise<boolean> {
    const runner: QueryRunner = on.createQueryRunner();
    cleanups.push(async () => {
      await sqliteDialect.releaseRunLock(runner);
      await runner.release();
    });
    return sqliteDialect.acquireRunLock(runner, timeoutMs);
  }

  async function another(options: { timeout?: number } = {}): Promise<DataSource> {
    const other = await openDataSource(db, {
      entities: [...synchroEntities],
      synchronize: false,
      ...options,
    });
    cleanups.push(() => other.destroy());
    return other;
  }

  async function leaseOwner(): Promise<string | undefined> {
    const rows = (await ds.query(`SELECT "owner" FROM "synchro_lease" WHERE "name" = 'run'`)) as {
      owner: string;
    }[];
    return rows[0]?.owner;
  }

  async function plantLease(owner: string): Promise<void> {
    await ds.query(`INSERT INTO "synchro_lease" ("name", "owner", "expires_at") VALUES ('run', ?, ?)`, [
      owner,
      Date.now() + 60_000,
    ]);
  }

  const thisHost = () => newLeaseOwner().split('.')[0] as string;
  const otherHost = () => (thisHost() === '000000000000' ? '111111111111' : '000000000000');

  it('takes over at once the unexpired lease of a process that was SIGKILLed', async () => {
    const killed = await holder();
    expect(await leaseOwner()).toBe(killed.owner);
    await killed.kill();
    expect(await acquire(ds, 500)).toBe(true);
    expect(await leaseOwner()).not.toBe(killed.owner);
  });

  it('never takes over the lease of a live process, and takes it once that process is killed', async () => {
    const live = await holder();
    expect(await acquire(ds, 500)).toBe(false);
    expect(await leaseOwner()).toBe(live.owner);
    await live.kill();
    expect(await acquire(ds, 500)).toBe(true);
  });

  it('lets one of two runs take a dead process’s lease, never both', async () => {
    const killed = await holder();
    await killed.kill();
    const other = await another();
    const taken = await Promise.all([acquire(ds, 500), acquire(other, 500)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('never takes over a lease held in this process by another DataSource', async () => {
    expect(await acquire(ds, 500)).toBe(true);
    const held = await leaseOwner();
    expect(await acquire(await another(), 500)).toBe(false);
    expect(await leaseOwner()).toBe(held);
  });

  it.each([
    ['of another host', () => `${otherHost()}.${NO_SUCH_PID}.${NONCE}`],
    ['of an older version (a bare UUID)', () => 'c0ffee00-0000-4000-8000-000000000000'],
    ['of this host whose pid a process has (a reused pid)', () => `${thisHost()}.1.${NONCE}`],
    ['of an unparsable owner', () => `${thisHost()}.0.${NONCE}`],
  ])('waits for the expiry of a lease %s', async (_, owner) => {
    await plantLease(owner());
    expect(await acquire(ds, 500)).toBe(false);
    expect(await leaseOwner()).toBe(owner());
  });

  it.each([
    ['of this host whose pid no process has', () => `${thisHost()}.${NO_SUCH_PID}.${NONCE}`],
    ['of this process that it no longer holds', () => `${thisHost()}.${process.pid}.${NONCE}`],
  ])('takes over at once a lease %s', async (_, owner) => {
    await plantLease(owner());
    expect(await acquire(ds, 500)).toBe(true);
    expect(await leaseOwner()).not.toBe(owner());
  });

  it('counts a database another connection is writing as a lease not free yet, not as an error', async () => {
    // A connection that gives up on a locked database after 20 ms (SQLITE_BUSY), as a loaded one can.
    const other = await another({ timeout: 20 });
    const writer = ds.createQueryRunner();
    await writer.startTransaction();
    await writer.query(`INSERT INTO "synchro_retry" VALUES ('p', 'e', 'k', 'r', 'c', 0)`);
    try {
      expect(await acquire(other, 300)).toBe(false);
      setTimeout(() => void writer.commitTransaction(), 100);
      expect(await acquire(other, 5_000)).toBe(true);
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      await writer.release();
    }
  });

  it('deletes its lease on release', async () => {
    const runner = ds.createQueryRunner();
    try {
      expect(await sqliteDialect.acquireRunLock(runner, 500)).toBe(true);
      await sqliteDialect.releaseRunLock(runner);
      expect(await leaseOwner()).toBeUndefined();
    } finally {
      await runner.release();
    }
  });
});
