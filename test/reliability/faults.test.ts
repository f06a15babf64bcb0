import './support/tz';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import { ConnectionLostError, RemoteConstraintError } from '../../src/core/errors';
import { readNodeId } from '../../src/store/node-identity';
import { synchroEntities } from '../../src/store/synchro-entities';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair, SYNC_PAIRS } from '../support/describe-dialects';
import { mysqlServer, postgresServer } from '../support/servers';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';
import { populate } from './support/crash-harness';
import { cursorOf, duplicatesOf, idMapProblems, logEndOf } from './support/delivery-checks';
import { contentOf } from './support/model-entities';
import { openReliabilityPair } from './support/model-suite';

/** Kills every connection to `database` but the killer's own, from another client, synchronously. */
function killConnections(ds: DataSource): void {
  const database = String(ds.options.database);
  if (ds.options.type === 'postgres') {
    execFileSync('psql', [
      '-h',
      postgresServer.host,
      '-p',
      String(postgresServer.port),
      '-U',
      postgresServer.user,
      '-d',
      'postgres',
      '-qAtc',
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`,
    ]);
    return;
  }
  const mysql = (sql: string) =>
    execFileSync(
      'mysql',
      ['-h', mysqlServer.host, '-P', String(mysqlServer.port), '-u', mysqlServer.user, '-N', '-e', sql],
      {
        env: { ...process.env, MYSQL_PWD: mysqlServer.password },
      },
    ).toString();
  const ids = mysql(
    `SELECT id FROM information_schema.processlist WHERE db = '${database}' AND id <> CONNECTION_ID()`,
  )
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()));
  if (ids.length > 0) mysql(ids.map((id) => `KILL ${id.trim()};`).join(' '));
}

describeEachPair(
  'faults: the remote connection is killed mid-sync',
  (pair) => {
    let db: Awaited<ReturnType<typeof openReliabilityPair>>;
    let expected: string[];
    beforeAll(async () => {
      db = await openReliabilityPair(pair);
      await populate(db.ds.A, 40);
      expected = await contentOf(db.ds.A);
    });
    afterAll(async () => db?.close());

    it.each([
      ['run', 1],
      ['batch', 3],
    ] as const)(
      "commit '%s': ConnectionLostError, the remote as after its last commit, then the next run succeeds",
      async (commit, killAtReport) => {
        const { A, B } = db.ds;
        const nodeBefore = await readNodeId(A);
        const before = await contentOf(B);
        const cursorBefore = nodeBefore === undefined ? undefined : await cursorOf(B, nodeBefore, 'in');
        let reports = 0;
        const error = await synchronize({
          local: A,
          remote: B,
          commit,
          batchSize: 20,
          onProgress: (p) => {
            if (p.phase === 'apply' && ++reports === killAtReport) killConnections(B);
          },
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConnectionLostError);
        expect(error).toMatchObject({ code: 'CONNECTION_LOST' });
        expect((error as Error).message).toMatch(/remote/);
        const localNode = (await readNodeId(A)) as string;
        const after = await contentOf(B);
        const cursorAfter = await cursorOf(B, localNode, 'in');
        expect(await duplicatesOf(B)).toEqual([]);
        expect(await idMapProblems(A, B, false)).toEqual([]);
        if (commit === 'run') {
          expect(after).toEqual(before);
          expect(cursorAfter).toEqual(cursorBefore);
        } else {
          // Two batches committed before the kill (the third was open): their rows and cursor stay.
          expect(after.every((line) => expected.includes(line))).toBe(true);
          expect(after.length).toBeGreaterThan(before.length);
          expect(BigInt(cursorAfter ?? '0')).toBeGreaterThan(BigInt(cursorBefore ?? '0'));
        }
        const next = await synchronize({ local: A, remote: B, commit });
        expect(next.status).toBe('synced');
        expect(await contentOf(B)).toEqual(expected);
        expect(await idMapProblems(A, B, true)).toEqual([]);
        expect(await cursorOf(B, localNode, 'in')).toBe(await logEndOf(A));
        // Reset the remote for the next case.
        for (const table of [
          'rel_parent_tags',
          'rel_link',
          'rel_child',
          'rel_parent',
          'rel_tag',
          'synchro_id_map',
          'synchro_cursor',
        ])
          await B.query(`DELETE FROM ${B.driver.escape(table)}`);
        await A.query(`DELETE FROM ${A.driver.escape('synchro_cursor')}`);
        await A.query(`DELETE FROM ${A.driver.escape('synchro_id_map')}`);
      },
      120_000,
    );
  },
  SYNC_PAIRS.filter((p) => p.target !== 'sqlite'),
);

/** The local note: its text is optional and not unique. */
@Synchro()
@Entity('rel_note')
class RelNote {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 20 }) uid!: string;
  @Column({ type: 'varchar', length: 20, nullable: true }) text!: string | null;
}

/** The same table on a stricter remote: text NOT NULL and unique. */
@Entity('rel_note')
class RelNoteStrict {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 20 }) uid!: string;
  @Column({ type: 'varchar', length: 20, unique: true }) text!: string;
}

describeEachPair('faults: remote constraint failures', (pair) => {
  let dbs: TestDatabase[];
  let local: DataSource;
  let remote: DataSource;
  beforeAll(async () => {
    dbs = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
    const withTables = (entities: unknown[]) => ({
      entities: [...(entities as never[]), ...synchroEntities],
      subscribers: [SynchroSubscriber],
    });
    local = await openDataSource(dbs[0] as TestDatabase, withTables([RelNote]));
    remote = await openDataSource(dbs[1] as TestDatabase, withTables([RelNoteStrict]));
  });
  afterAll(async () => {
    await local?.destroy().catch(() => undefined);
    await remote?.destroy().catch(() => undefined);
    for (const db of dbs ?? []) await db.drop();
  });
  beforeEach(async () => {
    for (const ds of [local, remote])
      for (const table of ['rel_note', 'synchro_log', 'synchro_id_map', 'synchro_cursor', 'synchro_retry'])
        await ds.query(`DELETE FROM ${ds.driver.escape(table)}`);
  });

  const notes = async (ds: DataSource) => {
    const e = (n: string) => ds.driver.escape(n);
    const rows = (await ds.query(
      `SELECT ${e('uid')} AS uid, ${e('text')} AS text FROM ${e('rel_note')}`,
    )) as {
      uid: string;
      text: string | null;
    }[];
    return rows.map((n) => `${n.uid}:${n.text}`).sort();
  };
  const inCursor = async () => cursorOf(remote, (await readNodeId(local)) ?? '', 'in');

  async function failingCase(kind: 'not-null' | 'unique'): Promise<number> {
    if (kind === 'unique')
      await runInNoLogContext(() => remote.getRepository(RelNoteStrict).save({ uid: 'r0', text: 'taken' }));
    const repo = local.getRepository(RelNote);
    await repo.save({ uid: 'a', text: 'fine a' });
    const bad = await repo.save({ uid: 'b', text: kind === 'unique' ? 'taken' : null });
    await repo.save({ uid: 'c', text: 'fine c' });
    return bad.id;
  }

  it.each(['not-null', 'unique'] as const)(
    "%s with onError 'abort': a typed error naming entity and key; nothing applied, the checkpoint stays",
    async (kind) => {
      const badId = await failingCase(kind);
      const before = [await notes(remote), await inCursor()];
      const error = await synchronize({ local, remote }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteConstraintError);
      expect(error).toMatchObject({
        code: 'REMOTE_CONSTRAINT',
        constraint: kind,
        entity: 'rel_note',
        key: { id: String(badId) },
      });
      expect((error as Error).message).toContain('rel_note');
      expect([await notes(remote), await inCursor()]).toEqual(before);
    },
  );

  it.each(['not-null', 'unique'] as const)(
    "%s with onError 'skip': a skipped entry, everything else applied, the object retried next run",
    async (kind) => {
      const badId = await failingCase(kind);
      const result = await synchronize({ local, remote, onError: 'skip', commit: 'batch', batchSize: 2 });
      expect(result.skipped).toEqual([
        expect.objectContaining({
          entity: 'rel_note',
          key: { id: String(badId) },
          code: 'REMOTE_CONSTRAINT',
        }),
      ]);
      expect(await notes(remote)).toEqual([
        'a:fine a',
        'c:fine c',
        ...(kind === 'unique' ? ['r0:taken'] : []),
      ]);
      await local.getRepository(RelNote).update({ uid: 'b' }, { text: 'fixed' });
      const retry = await synchronize({ local, remote, onError: 'skip' });
      expect(retry.skipped).toEqual([]);
      expect(await notes(remote)).toContain('b:fixed');
      expect((await notes(remote)).filter((n) => n.startsWith('b:'))).toEqual(['b:fixed']);
    },
  );
});
