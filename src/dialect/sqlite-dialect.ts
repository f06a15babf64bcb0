import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { dataSourceOf } from '../core/data-source-of';
import { leaseOwnerGone, newLeaseOwner } from './lease-owner';
import {
  driverErrorOf,
  insertReturning,
  sleep,
  type ErrorKind,
  type SynchroDialect,
} from './synchro-dialect';

// Long, so that synchronous better-sqlite3 work blocking the renewal timer cannot let a live run's
// lease expire; a killed run's lease is taken over at once when its process is provably gone.
const LEASE_MS = 60_000;
const NOW_MS = `CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`;
const CONSTRAINT_KINDS: Record<string, ErrorKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'check',
};
const leaseOwners = new WeakMap<QueryRunner, string>();
// Owners this process is acquiring or holding: its own other owners are gone once they left this set.
const liveOwners = new Set<string>();
const leaseRenewals = new WeakMap<QueryRunner, NodeJS.Timeout>();
const memoryIdentities = new WeakMap<object, string>();

/**
 * SQLite (better-sqlite3): one writer at a time, so log ids are handed out in commit order; the run
 * lock is an expiring lease row, so a killed run cannot hold it forever, and a lease whose owner
 * process is provably gone (same host, no such pid) is taken over at once.
 */
export const sqliteDialect: SynchroDialect = {
  name: 'sqlite',
  maxParameters: 32766,
  supportsReturning: true,
  singleConnection: true,
  inProcess: true,
  copiesStoredValues: true,
  nowMsSql: NOW_MS,
  forUpdateSql: '',
  placeholder: () => '?',
  upsertSuffix: (keys, updates) =>
    updates.length === 0
      ? ` ON CONFLICT (${keys.join(', ')}) DO NOTHING`
      : ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`,

  async readHighWaterMark(dataSource: DataSource, logTable: string): Promise<string> {
    const rows = (await dataSource.query(`SELECT max(id) AS hwm FROM ${logTable}`)) as { hwm: unknown }[];
    return String(rows[0]?.hwm ?? '0');
  },

  async acquireRunLock(runner: QueryRunner, timeoutMs: number): Promise<boolean> {
    const owner = newLeaseOwner();
    liveOwners.add(owner);
    try {
      if (!(await leaseUntil(runner, owner, Date.now() + timeoutMs))) return dropOwner(owner);
    } catch (error) {
      dropOwner(owner);
      throw error;
    }
    leaseOwners.set(runner, owner);
    keepLeaseAlive(runner, owner);
    return true;
  },

  async releaseRunLock(runner: QueryRunner): Promise<void> {
    const owner = leaseOwners.get(runner);
    if (owner === undefined) return;
    clearInterval(leaseRenewals.get(runner));
    leaseRenewals.delete(runner);
    try {
      await runner.query(`DELETE FROM "synchro_lease" WHERE "name" = 'run' AND "owner" = ?`, [owner]);
    } finally {
      leaseOwners.delete(runner);
      dropOwner(owner);
    }
  },

  async databaseIdentity(runner: QueryRunner): Promise<string> {
    const rows = (await runner.query('PRAGMA database_list')) as { name: string; file: string }[];
    const file = rows.find((row) => row.name === 'main')?.file ?? '';
    if (file !== '') return `sqlite://${file}`;
    const ds = dataSourceOf(runner) as object;
    if (!memoryIdentities.has(ds)) memoryIdentities.set(ds, `sqlite-memory://${randomUUID()}`);
    return memoryIdentities.get(ds) as string;
  },

  classifyError(error: unknown): ErrorKind {
    const driver = driverErrorOf(error);
    const code = typeof driver.code === 'string' ? driver.code : '';
    if (code === 'SQLITE_CONSTRAINT' && /NOT NULL/i.test(String(driver.message))) return 'not-null';
    if (code.startsWith('SQLITE_BUSY')) return 'lock-timeout';
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') return 'privilege';
    // better-sqlite3 checks the directory itself, with a TypeError and no code.
    if (code === 'SQLITE_CANTOPEN' || /^Cannot open database because/.test(String(driver.message)))
      return 'login';
    return CONSTRAINT_KINDS[code] ?? 'other';
  },

  indexedSql: (table, index) => `${table} INDEXED BY ${index}`,

  readColumnSql: (column, type) =>
    /^(bigint|int8|unsigned big int)$/i.test(type) ? `CAST(${column} AS TEXT)` : column,

  insertGenerated: insertReturning,
};

async function leaseUntil(runner: QueryRunner, owner: string, deadline: number): Promise<boolean> {
  for (;;) {
    if (await tryLeaseUnlessBusy(runner, owner)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}

/**
 * {@link tryLease}, with a database that another connection is writing (SQLITE_BUSY once the driver's
 * busy timeout has passed, for example while a concurrent run holds its transaction) counted as a lease
 * that is not free yet: the caller waits for it until its deadline, then reports the run as locked.
 */
async function tryLeaseUnlessBusy(runner: QueryRunner, owner: string): Promise<boolean> {
  try {
    return await tryLease(runner, owner);
  } catch (error) {
    if (sqliteDialect.classifyError(error) === 'lock-timeout') return false;
    throw error;
  }
}

function dropOwner(owner: string): false {
  liveOwners.delete(owner);
  return false;
}

// A run longer than the lease renews it, so only a killed run's lease expires. A runner released
// without releaseRunLock ends its run: its owner is no longer live here.
function keepLeaseAlive(runner: QueryRunner, owner: string): void {
  const timer = setInterval(() => {
    if (runner.isReleased) {
      clearInterval(timer);
      dropOwner(owner);
      return;
    }
    runner
      .query(
        `UPDATE "synchro_lease" SET "expires_at" = ${NOW_MS} + ${LEASE_MS} WHERE "name" = 'run' AND "owner" = ?`,
        [owner],
      )
      .catch(() => undefined);
  }, LEASE_MS / 4);
  timer.unref();
  leaseRenewals.set(runner, timer);
}

/**
 * Takes the lease when it is free, expired, or held by an owner that is provably gone. The takeover is
 * a compare-and-swap on that owner string (unique per acquisition), so of two newcomers only one wins.
 */
async function tryLease(runner: QueryRunner, owner: string): Promise<boolean> {
  const holder = await leaseHolder(runner);
  const gone = holder !== undefined && leaseOwnerGone(holder, liveOwners) ? holder : null;
  const now = NOW_MS;
  await runner.query(
    `INSERT INTO "synchro_lease" ("name", "owner", "expires_at") VALUES ('run', ?, ${now} + ${LEASE_MS}) ` +
      `ON CONFLICT ("name") DO UPDATE SET "owner" = excluded."owner", "expires_at" = excluded."expires_at" ` +
      `WHERE "synchro_lease"."expires_at" < ${now} OR "synchro_lease"."owner" = ?`,
    [owner, gone],
  );
  return (await leaseHolder(runner)) === owner;
}

async function leaseHolder(runner: QueryRunner): Promise<string | undefined> {
  const rows = (await runner.query(`SELECT "owner" FROM "synchro_lease" WHERE "name" = 'run'`)) as {
    owner: string;
  }[];
  return rows[0]?.owner;
}
