import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import {
  ClockSkewError,
  ConnectionLostError,
  InvalidOptionError,
  NoRemoteError,
  SameDatabaseError,
  SameNodeIdentityError,
  SchemaMismatchError,
  SynchroLockedError,
  SynchroTablesMissingError,
  synchroEntities,
  type SyncOptions,
} from '../../src/index';
import { writeLogRows } from '../../src/capture/log-writer';
import { readNodeId } from '../../src/store/node-identity';
import { readCursor, writeCursor } from '../../src/sync/cursor-store';
import { typesCompatible } from '../../src/sync/schema-check';
import { resolveSyncOptions } from '../../src/sync/sync-options';
import { spawnLeaseHolder } from '../dialect/support/lease-holder';
import { describeEachPair } from '../support/describe-dialects';
import {
  bookkeeping,
  freshPairPerTest,
  insertLog,
  openDatabase,
  openSession,
  reopen,
  RsItem,
  RsItemNoName,
  RsItemUuid,
  RsLine,
  RsTyped,
  shareNodeIdentity,
} from './run-session-fixtures';

const EMPTY = {
  synchro_node: 0,
  synchro_log: 0,
  synchro_id_map: 0,
  synchro_cursor: 0,
  synchro_retry: 0,
  synchro_lease: 0,
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('resolveSyncOptions', () => {
  const local = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
  const remote = new DataSource({ type: 'better-sqlite3', database: ':memory:' });

  it('fills in the documented defaults', () => {
    const resolved = resolveSyncOptions({ local, remote });
    expect(resolved).toMatchObject({
      conflictPolicy: 'newest',
      dryRun: false,
      full: false,
      batchSize: 2000,
      commit: 'run',
      onError: 'abort',
      listeners: true,
      lockTimeoutMs: 10000,
      maxClockSkewMs: 5000,
      onClockSkew: 'warn',
      clockSkewOffsetMs: 0,
    });
    expect(() => resolved.onProgress({ phase: 'x', done: 0, total: 0 })).not.toThrow();
  });

  it('keeps valid values, including a conflict function', () => {
    const policy = () => 'local' as const;
    const resolved = resolveSyncOptions({
      local,
      remote,
      conflictPolicy: policy,
      batchSize: 100000,
      commit: 'batch',
      onError: 'skip',
      onClockSkew: 'refuse',
      lockTimeoutMs: 0,
      testHooks: { clockSkewOffsetMs: -7 },
    });
    expect(resolved).toMatchObject({ batchSize: 100000, commit: 'batch', onError: 'skip', lockTimeoutMs: 0 });
    expect(resolved.conflictPolicy).toBe(policy);
    expect(resolved.clockSkewOffsetMs).toBe(-7);
  });

  it.each([
    ['batchSize', { batchSize: 0 }],
    ['batchSize', { batchSize: 1.5 }],
    ['batchSize', { batchSize: 100001 }],
    ['commit', { commit: 'always' }],
    ['onError', { onError: 'ignore' }],
    ['conflictPolicy', { conflictPolicy: 'oldest' }],
    ['onClockSkew', { onClockSkew: 'ignore' }],
    ['lockTimeoutMs', { lockTimeoutMs: -1 }],
    ['maxClockSkewMs', { maxClockSkewMs: Number.NaN }],
    ['dryRun', { dryRun: 'yes' }],
    ['onProgress', { onProgress: 'log' }],
    ['local', { local: {} }],
  ])('rejects a bad %s with InvalidOptionError naming it', (option, bad) => {
    const attempt = () => resolveSyncOptions({ local, remote, ...(bad as object) } as SyncOptions);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(expect.objectContaining({ option }));
  });

  it.each([null, undefined])('rejects remote %p with NoRemoteError', (missing) => {
    expect(() => resolveSyncOptions({ local, remote: missing })).toThrow(NoRemoteError);
    expect(() => resolveSyncOptions({ local, remote: missing })).toThrow('No remote data source specified');
  });
});

describe('typesCompatible', () => {
  it.each([
    ['integer', 'bigint'],
    ['int', 'integer'],
    ['varchar', 'character varying'],
    ['varchar', 'text'],
    ['boolean', 'tinyint'],
    ['datetime', 'timestamp with time zone'],
    ['timestamp without time zone', 'datetime'],
    ['decimal', 'numeric'],
    ['simple-json', 'text'],
    ['jsonb', 'longtext'],
    ['uuid', 'varchar'],
    ['uuid', 'char'],
    ['enum', 'varchar'],
    ['geometry', 'integer'],
  ])('%s fits %s', (a, b) => {
    expect(typesCompatible(a, b)).toBe(true);
  });

  it.each([
    ['integer', 'uuid'],
    ['int', 'character varying'],
    ['varchar', 'bigint'],
    ['boolean', 'datetime'],
    ['blob', 'text'],
    ['decimal', 'varchar'],
  ])('%s does not fit %s', (a, b) => {
    expect(typesCompatible(a, b)).toBe(false);
  });
});

describeEachPair('openRunSession', (pair) => {
  const { l, r, extra } = freshPairPerTest(pair);

  it('opens a session: identities assigned, the log slice to send, no warnings', async () => {
    await insertLog(l.ds, 1000);
    const last = await insertLog(l.ds, 2000);
    const session = await openSession(l.ds, r.ds);
    try {
      expect(session.localNode).toBe(await readNodeId(l.ds));
      expect(session.remoteNode).toBe(await readNodeId(r.ds));
      expect(session.localNode).not.toBe(session.remoteNode);
      expect(session.fromLogId).toBe('0');
      expect(session.toLogId).toBe(last);
      expect(session.warnings).toEqual([]);
      expect(Math.abs(session.clockSkewMs)).toBeLessThanOrEqual(5000);
      expect(session.localDialect.name).toBe(pair.source);
    } finally {
      await session.close();
    }
  });

  it('starts after the remote’s cursor for this node', async () => {
    const first = await insertLog(l.ds, 1000);
    const session = await openSession(l.ds, r.ds);
    await writeCursor(session.remoteRunner, session.localNode, 'in', first);
    await session.close();
    const second = await insertLog(l.ds, 2000);
    const next = await openSession(l.ds, r.ds);
    try {
      expect(next.fromLogId).toBe(first);
      expect(next.toLogId).toBe(second);
    } finally {
      await next.close();
    }
  });

  it('a dry run stores no node identity', async () => {
    const session = await openSession(l.ds, r.ds, { dryRun: true });
    try {
      expect(session.dryRun).toBe(true);
      expect(session.localNode).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await session.close();
    }
    expect(await bookkeeping(l.ds)).toEqual(EMPTY);
    expect(await bookkeeping(r.ds)).toEqual(EMPTY);
  });

  it('refuses when the local has no library tables, writing nothing', async () => {
    const bare = await openDatabase(pair.source, [RsItem, RsLine]);
    extra.push(bare);
    const attempt = openSession(bare.ds, r.ds);
    await expect(attempt).rejects.toThrow(SynchroTablesMissingError);
    await expect(attempt).rejects.toThrow(/local database has no synchro_node table/);
    expect(await bookkeeping(r.ds)).toEqual(EMPTY);
  });

  it('refuses when the remote has no library tables, writing nothing', async () => {
    const bare = await openDatabase(pair.target, [RsItem, RsLine]);
    extra.push(bare);
    const attempt = openSession(l.ds, bare.ds);
    await expect(attempt).rejects.toThrow(SynchroTablesMissingError);
    await expect(attempt).rejects.toThrow(/remote database has no synchro_node table/);
    await expect(attempt).rejects.toMatchObject({ table: 'synchro_node' });
    expect(await bookkeeping(l.ds)).toEqual(EMPTY);
  });

  it('refuses local and remote being the same database', async () => {
    const same = await reopen(l);
    try {
      await expect(openSession(l.ds, same)).rejects.toThrow(SameDatabaseError);
    } finally {
      await same.destroy();
    }
    expect(await bookkeeping(l.ds)).toEqual(EMPTY);
  });

  it('refuses a restored copy that was not adopted, naming adoptCopy, writing nothing', async () => {
    await shareNodeIdentity(l.ds, r.ds, '11111111-2222-4333-8444-555555555555');
    const attempt = openSession(l.ds, r.ds);
    await expect(attempt).rejects.toThrow(SameNodeIdentityError);
    await expect(attempt).rejects.toMatchObject({ hint: expect.stringContaining('adoptCopy') });
    expect(await bookkeeping(l.ds)).toEqual({ ...EMPTY, synchro_node: 1 });
    expect(await bookkeeping(r.ds)).toEqual({ ...EMPTY, synchro_node: 1 });
  });

  it('refuses a clock skew over the limit with onClockSkew: refuse, writing nothing', async () => {
    const attempt = openSession(l.ds, r.ds, {
      onClockSkew: 'refuse',
      maxClockSkewMs: 5000,
      testHooks: { clockSkewOffsetMs: 60000 },
    });
    await expect(attempt).rejects.toThrow(ClockSkewError);
    await expect(attempt).rejects.toMatchObject({ code: 'CLOCK_SKEW', skewMs: expect.any(Number) });
    await expect(attempt.catch((e: ClockSkewError) => e.skewMs)).resolves.toBeGreaterThan(5000);
    expect(await bookkeeping(l.ds)).toEqual(EMPTY);
    expect(await bookkeeping(r.ds)).toEqual(EMPTY);
  });

  it('warns about a clock skew over the limit by default', async () => {
    const session = await openSession(l.ds, r.ds, {
      maxClockSkewMs: 5000,
      testHooks: { clockSkewOffsetMs: -60000 },
    });
    try {
      expect(session.clockSkewMs).toBeLessThan(-5000);
      expect(session.warnings).toHaveLength(1);
      expect(session.warnings[0]).toMatch(/clock differs .* \(limit 5000 ms\)/);
    } finally {
      await session.close();
    }
  });

  it('serializes runs in one process: the second fails with SynchroLockedError after lockTimeoutMs', async () => {
    const first = await openSession(l.ds, r.ds);
    try {
      await expect(openSession(l.ds, r.ds, { lockTimeoutMs: 300 })).rejects.toThrow(SynchroLockedError);
    } finally {
      await first.close();
    }
    const second = await openSession(l.ds, r.ds, { lockTimeoutMs: 300 });
    await second.close();
  });

  it('holds the lock on the remote database: another DataSource of it is locked out', async () => {
    const otherLocal = await reopen(l);
    const otherRemote = await reopen(r);
    const first = await openSession(l.ds, r.ds);
    try {
      const attempt = openSession(otherLocal, otherRemote, { lockTimeoutMs: 300 });
      await expect(attempt).rejects.toThrow(SynchroLockedError);
      await expect(attempt).rejects.toThrow(/Another synchronization into/);
    } finally {
      await first.close();
    }
    try {
      const second = await openSession(otherLocal, otherRemote, { lockTimeoutMs: 300 });
      await second.close();
    } finally {
      await otherLocal.destroy();
      await otherRemote.destroy();
    }
    expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
  });

  it('accepts equivalent column types of another database (uuid, boolean, dates, decimal, bigint, json, enum)', async () => {
    const typed = [RsTyped, ...synchroEntities];
    const local = await openDatabase(pair.source, typed);
    extra.push(local);
    const remote = await openDatabase(pair.target, typed);
    extra.push(remote);
    const session = await openSession(local.ds, remote.ds);
    await session.close();
  });

  it('runs A→B and B→A at the same time without deadlocking: one waits for the other', async () => {
    const run = async (a: DataSource, b: DataSource) =>
      (await openSession(a, b, { lockTimeoutMs: 10000 })).close();
    await expect(Promise.all([run(l.ds, r.ds), run(r.ds, l.ds), run(l.ds, r.ds)])).resolves.toHaveLength(3);
  });

  it('refuses an integer key locally against a UUID key remotely, naming entity, table and column', async () => {
    const uuid = await openDatabase(pair.target, [RsItemUuid, RsLine, ...synchroEntities]);
    extra.push(uuid);
    const attempt = openSession(l.ds, uuid.ds);
    await expect(attempt).rejects.toThrow(SchemaMismatchError);
    await expect(attempt).rejects.toMatchObject({ entity: 'rs_item', table: 'rs_item', column: 'id' });
    expect(await bookkeeping(l.ds)).toEqual(EMPTY);
    expect(await bookkeeping(uuid.ds)).toEqual(EMPTY);
  });

  it('refuses a remote table that lacks a column', async () => {
    const narrow = await openDatabase(pair.target, [RsItemNoName, RsLine, ...synchroEntities]);
    extra.push(narrow);
    const attempt = openSession(l.ds, narrow.ds);
    await expect(attempt).rejects.toThrow(SchemaMismatchError);
    await expect(attempt).rejects.toMatchObject({ entity: 'rs_item', column: 'name' });
    expect(await bookkeeping(narrow.ds)).toEqual(EMPTY);
  });

  it('refuses a remote DataSource that does not know a watched entity, with a hint to add it', async () => {
    const partial = await openDatabase(pair.target, [RsLine, ...synchroEntities]);
    extra.push(partial);
    const attempt = openSession(l.ds, partial.ds);
    await expect(attempt).rejects.toThrow(SchemaMismatchError);
    await expect(attempt).rejects.toMatchObject({
      entity: 'rs_item',
      hint: expect.stringContaining('RsItem'),
    });
    expect(await bookkeeping(partial.ds)).toEqual(EMPTY);
  });
});

describeEachPair(
  'openRunSession: the holder of the SQLite lease, killed or alive',
  (pair) => {
    const { l, r } = freshPairPerTest(pair);

    it('proceeds at once after the holder process was SIGKILLed, though its lease had a minute to run', async () => {
      const killed = await spawnLeaseHolder((r.db.options as { database: string }).database);
      await killed.kill();
      const session = await openSession(l.ds, r.ds, { lockTimeoutMs: 500 });
      await session.close();
      expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
    });

    it('is refused with SynchroLockedError while the holder process lives', async () => {
      const live = await spawnLeaseHolder((r.db.options as { database: string }).database);
      try {
        const attempt = openSession(l.ds, r.ds, { lockTimeoutMs: 500 });
        await expect(attempt).rejects.toThrow(SynchroLockedError);
        await expect(attempt).rejects.toThrow(/Another synchronization into/);
        const rows = (await r.ds.query(`SELECT "owner" FROM "synchro_lease"`)) as { owner: string }[];
        expect(rows).toEqual([{ owner: live.owner }]);
      } finally {
        await live.kill();
      }
    });

    it('locks until its lease expires when it cannot tell whether the holder lives (another host, an older version)', async () => {
      const nowMs = Date.now();
      await r.ds.query(
        `INSERT INTO "synchro_lease" ("name", "owner", "expires_at") VALUES ('run', 'killed-run', ?)`,
        [nowMs + 60000],
      );
      await expect(openSession(l.ds, r.ds, { lockTimeoutMs: 200 })).rejects.toThrow(SynchroLockedError);
      await r.ds.query(`UPDATE "synchro_lease" SET "expires_at" = ? WHERE "owner" = 'killed-run'`, [
        nowMs - 1000,
      ]);
      const session = await openSession(l.ds, r.ds, { lockTimeoutMs: 200 });
      await session.close();
      expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
    });
  },
  [
    { source: 'sqlite', target: 'sqlite' },
    { source: 'mysql', target: 'sqlite' },
  ],
);

describeEachPair(
  'openRunSession: a killed holder of the advisory lock',
  (pair) => {
    const { l, r } = freshPairPerTest(pair);

    it('frees the lock when its connection dies', async () => {
      const otherLocal = await reopen(l);
      const doomed = await reopen(r);
      await openSession(otherLocal, doomed);
      await expect(openSession(l.ds, r.ds, { lockTimeoutMs: 200 })).rejects.toThrow(SynchroLockedError);
      await doomed.destroy();
      await otherLocal.destroy();
      const session = await openSession(l.ds, r.ds, { lockTimeoutMs: 2000 });
      await session.close();
    });

    it('names the remote when it cannot be reached', async () => {
      const unreachable = new DataSource({
        ...(r.db.options as object),
        port: 1,
        entities: [RsItem, RsLine, ...synchroEntities],
      } as DataSourceOptions);
      const attempt = openSession(l.ds, unreachable);
      await expect(attempt).rejects.toThrow(ConnectionLostError);
      await expect(attempt).rejects.toThrow(/remote database/);
      expect(await bookkeeping(l.ds)).toEqual(EMPTY);
    });
  },
  [
    { source: 'sqlite', target: 'postgres' },
    { source: 'postgres', target: 'mysql' },
  ],
);

describeEachPair(
  'openRunSession: the log high-water mark with a concurrent writer',
  (pair) => {
    const { l, r } = freshPairPerTest(pair);

    async function uncommittedLogRow() {
      const writer = l.ds.createQueryRunner();
      await writer.startTransaction();
      await writeLogRows(writer, [{ entity: 'rs_item', key: '{"id":"1"}', action: 'insert' }]);
      const rows = (await writer.query(`SELECT max(${l.ds.driver.escape('id')}) AS id FROM synchro_log`)) as {
        id: unknown;
      }[];
      return { writer, id: BigInt(String(rows[0]?.id)) };
    }

    it('waits for the writer to commit, then includes its row', async () => {
      const { writer, id } = await uncommittedLogRow();
      let settled = false;
      const pending = openSession(l.ds, r.ds, { lockTimeoutMs: 20000 }).finally(() => {
        settled = true;
      });
      await sleep(1500);
      expect(settled).toBe(false);
      await writer.commitTransaction();
      await writer.release();
      const session = await pending;
      try {
        expect(BigInt(session.toLogId)).toBeGreaterThanOrEqual(id);
      } finally {
        await session.close();
      }
    });

    it('never moves past an uncommitted id, even when a later id committed', async () => {
      const { writer, id } = await uncommittedLogRow();
      const later = BigInt(await insertLog(l.ds, Date.now()));
      expect(later).toBeGreaterThan(id);
      const attempt = openSession(l.ds, r.ds, { lockTimeoutMs: 500 });
      await expect(attempt).rejects.toThrow(SynchroLockedError);
      await expect(attempt).rejects.toThrow(/local change log/);
      expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
      await writer.commitTransaction();
      await writer.release();
      const session = await openSession(l.ds, r.ds);
      try {
        expect(session.toLogId).toBe(String(later));
      } finally {
        await session.close();
      }
      expect(await readCursor(r.ds, session.localNode, 'in')).toBeUndefined();
    });
  },
  [
    { source: 'postgres', target: 'sqlite' },
    { source: 'mysql', target: 'sqlite' },
  ],
);
