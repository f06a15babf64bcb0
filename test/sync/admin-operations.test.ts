import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import {
  adoptCopy,
  getCheckpoint,
  getSyncStatus,
  InvalidOptionError,
  pruneLog,
  resetSynchro,
  SameNodeIdentityError,
  setCheckpoint,
  type CheckpointValue,
} from '../../src/index';
import { dialectFor } from '../../src/dialect/dialect-for';
import { ensureNodeId, readNodeId } from '../../src/store/node-identity';
import { listCursors, readCursor, writeCursor } from '../../src/sync/cursor-store';
import { describeEachPair } from '../support/describe-dialects';
import {
  bookkeeping,
  countRows,
  freshPairPerTest,
  insertLog,
  openSession,
  RsLine,
  shareNodeIdentity,
} from './run-session-fixtures';

interface MapRow {
  peer: string;
  entity: string;
  localKey: string;
  peerKey: string;
}

async function idMap(ds: DataSource): Promise<MapRow[]> {
  const e = (n: string) => ds.driver.escape(n);
  const rows = (await ds.query(
    `SELECT ${e('peer')} AS ${e('peer')}, ${e('entity')} AS ${e('entity')}, ${e('local_key')} AS ${e('localKey')}, ` +
      `${e('peer_key')} AS ${e('peerKey')} FROM ${e('synchro_id_map')}`,
  )) as MapRow[];
  return rows.sort((a, b) => `${a.entity}${a.localKey}`.localeCompare(`${b.entity}${b.localKey}`));
}

async function addIdMapRow(ds: DataSource, peer: string, localKey: string, peerKey: string): Promise<void> {
  const e = (n: string) => ds.driver.escape(n);
  const p = [1, 2, 3].map(dialectFor(ds).placeholder);
  await ds.query(
    `INSERT INTO ${e('synchro_id_map')} (${e('peer')}, ${e('entity')}, ${e('local_key')}, ${e('peer_key')}) ` +
      `VALUES (${p[0]}, 'rs_item', ${p[1]}, ${p[2]})`,
    [peer, localKey, peerKey],
  );
}

/** A row with an explicit generated key, as a restored dump holds it (PostgreSQL's insert() would drop the key). */
async function insertItem(ds: DataSource, id: number, name: string): Promise<void> {
  const e = (n: string) => ds.driver.escape(n);
  const p = [1, 2].map(dialectFor(ds).placeholder);
  await ds.query(`INSERT INTO ${e('rs_item')} (${e('id')}, ${e('name')}) VALUES (${p[0]}, ${p[1]})`, [
    id,
    name,
  ]);
}

async function logIds(ds: DataSource): Promise<string[]> {
  const e = (n: string) => ds.driver.escape(n);
  const rows = (await ds.query(`SELECT ${e('id')} AS id FROM ${e('synchro_log')} ORDER BY ${e('id')}`)) as {
    id: unknown;
  }[];
  return rows.map((r) => String(r.id));
}

describeEachPair('admin operations', (pair) => {
  const { l, r } = freshPairPerTest(pair);

  describe('getCheckpoint / setCheckpoint', () => {
    it('is null before the first sync', async () => {
      expect(await getCheckpoint(l.ds, r.ds)).toBeNull();
      await ensureNodeId(l.ds);
      expect(await getCheckpoint(l.ds, r.ds)).toBeNull();
    });

    it('sets a log id on the remote’s cursor and the local mirror, and reads it back', async () => {
      await insertLog(l.ds, 1000);
      const set = await setCheckpoint(l.ds, r.ds, { logId: '1' });
      expect(set.logId).toBe('1');
      const got = await getCheckpoint(l.ds, r.ds);
      expect(got).toEqual({ logId: '1', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
      const localNode = (await readNodeId(l.ds)) as string;
      const remoteNode = (await readNodeId(r.ds)) as string;
      expect((await readCursor(r.ds, localNode, 'in'))?.logId).toBe('1');
      expect((await readCursor(l.ds, remoteNode, 'out'))?.logId).toBe('1');
      expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
    });

    it("'now' is the end of the log: the next run sends nothing logged before", async () => {
      await insertLog(l.ds, 1000);
      const last = await insertLog(l.ds, 2000);
      expect((await setCheckpoint(l.ds, r.ds, 'now')).logId).toBe(last);
      const session = await openSession(l.ds, r.ds);
      try {
        expect(session.fromLogId).toBe(last);
        expect(session.toLogId).toBe(last);
      } finally {
        await session.close();
      }
    });

    it('a Date is the last log id at or before that server time', async () => {
      const ids = [await insertLog(l.ds, 1000), await insertLog(l.ds, 2000), await insertLog(l.ds, 3000)];
      expect((await setCheckpoint(l.ds, r.ds, new Date(2500))).logId).toBe(ids[1]);
      expect((await setCheckpoint(l.ds, r.ds, new Date(3000))).logId).toBe(ids[2]);
      expect((await setCheckpoint(l.ds, r.ds, new Date(500))).logId).toBe(String(BigInt(ids[0]!) - 1n));
      expect((await getCheckpoint(l.ds, r.ds))?.logId).toBe(String(BigInt(ids[0]!) - 1n));
    });

    it.each([[{ logId: 'x' }], [{ logId: 5 }], [new Date(Number.NaN)], ['later']])(
      'rejects %p with InvalidOptionError',
      async (value) => {
        await expect(setCheckpoint(l.ds, r.ds, value as CheckpointValue)).rejects.toThrow(InvalidOptionError);
        expect(await bookkeeping(r.ds)).toMatchObject({ synchro_node: 0, synchro_cursor: 0 });
      },
    );

    it('refuses two databases sharing a node identity', async () => {
      await shareNodeIdentity(l.ds, r.ds, '11111111-2222-4333-8444-555555555555');
      await expect(setCheckpoint(l.ds, r.ds, 'now')).rejects.toThrow(SameNodeIdentityError);
      expect((await bookkeeping(r.ds)).synchro_cursor).toBe(0);
    });
  });

  describe('resetSynchro', () => {
    it('sets every delivery cursor to the log end and clears the log; the id map is kept', async () => {
      await insertLog(l.ds, 1000);
      const last = await insertLog(l.ds, 2000);
      await writeCursor(l.ds, 'peer-a', 'out', '1');
      await writeCursor(l.ds, 'peer-b', 'out', '0');
      await writeCursor(l.ds, 'peer-c', 'in', '77');
      await addIdMapRow(l.ds, 'peer-a', '{"id":"1"}', '{"id":"9"}');
      expect(await resetSynchro(l.ds)).toEqual({ logId: last });
      expect(await countRows(l.ds, 'synchro_log')).toBe(0);
      const cursors = await listCursors(l.ds);
      expect(cursors.map((c) => [c.peer, c.direction, c.logId])).toEqual([
        ['peer-a', 'out', last],
        ['peer-b', 'out', last],
        ['peer-c', 'in', '77'],
      ]);
      expect(await idMap(l.ds)).toHaveLength(1);
      const next = await insertLog(l.ds, 3000);
      expect(BigInt(next)).toBeGreaterThan(BigInt(last));
    });

    it('forgets the id map with forgetIds', async () => {
      await insertLog(l.ds, 1000);
      await addIdMapRow(l.ds, 'peer-a', '{"id":"1"}', '{"id":"9"}');
      await resetSynchro(l.ds, { forgetIds: true });
      expect(await idMap(l.ds)).toEqual([]);
      expect(await countRows(l.ds, 'synchro_log')).toBe(0);
    });
  });

  describe('pruneLog', () => {
    it('deletes nothing while no peer is known', async () => {
      await insertLog(l.ds, 1000);
      expect(await pruneLog(l.ds)).toBe(0);
      expect(await countRows(l.ds, 'synchro_log')).toBe(1);
    });

    it('deletes the rows every known peer received, up to the lowest out cursor', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await insertLog(l.ds, 1000 + i));
      await writeCursor(l.ds, 'peer-a', 'out', ids[3]!);
      await writeCursor(l.ds, 'peer-b', 'out', ids[1]!);
      await writeCursor(l.ds, 'peer-c', 'in', '0');
      expect(await pruneLog(l.ds)).toBe(2);
      expect(await logIds(l.ds)).toEqual(ids.slice(2));
      expect(await pruneLog(l.ds)).toBe(0);
    });
  });

  describe('getSyncStatus', () => {
    it('reports the node, the peers’ mirrors and, with a remote, skew and the authoritative checkpoint', async () => {
      expect(await getSyncStatus(l.ds)).toEqual({ nodeId: null, peers: [] });
      const last = await insertLog(l.ds, 1000);
      await setCheckpoint(l.ds, r.ds, 'now');
      const status = await getSyncStatus(l.ds, r.ds);
      expect(status.nodeId).toBe(await readNodeId(l.ds));
      expect(status.peers).toEqual([
        { peer: await readNodeId(r.ds), deliveredLogId: last, at: expect.stringMatching(/Z$/) },
      ]);
      expect(status.remoteNodeId).toBe(await readNodeId(r.ds));
      expect(status.checkpoint?.logId).toBe(last);
      expect(Math.abs(status.clockSkewMs ?? Infinity)).toBeLessThanOrEqual(5000);
    });
  });

  describe('adoptCopy', () => {
    const shared = '11111111-2222-4333-8444-555555555555';

    async function seedRestoredCopy(): Promise<void> {
      await shareNodeIdentity(l.ds, r.ds, shared);
      for (const ds of [l.ds, r.ds]) {
        for (const id of [1, 2, 3]) await insertItem(ds, id, `item ${id}`);
        await ds.getRepository(RsLine).insert([{ orderId: 1, line: 1, qty: 2 }]);
      }
      await insertItem(l.ds, 4, 'only in the copy');
      await insertItem(r.ds, 5, 'only in production');
      await r.ds.getRepository(RsLine).insert({ orderId: 1, line: 2, qty: 1 });
      await insertLog(l.ds, 1000);
      await insertLog(r.ds, 1000);
      await insertLog(r.ds, 2000);
    }

    it('gives the copy a new identity and records rows with equal keys as counterparts on both sides', async () => {
      await seedRestoredCopy();
      const result = await adoptCopy(l.ds, r.ds);
      expect(result.matched).toEqual({ rs_item: 3, rs_line: 1 });
      const localNode = (await readNodeId(l.ds)) as string;
      expect(localNode).toBe(result.nodeId);
      expect(localNode).not.toBe(shared);
      expect(await readNodeId(r.ds)).toBe(shared);
      const keys = ['{"id":"1"}', '{"id":"2"}', '{"id":"3"}'];
      const line = '{"orderId":"1","line":"1"}';
      expect(await idMap(l.ds)).toEqual([
        ...keys.map((k) => ({ peer: shared, entity: 'rs_item', localKey: k, peerKey: k })),
        { peer: shared, entity: 'rs_line', localKey: line, peerKey: line },
      ]);
      expect(await idMap(r.ds)).toEqual([
        ...keys.map((k) => ({ peer: localNode, entity: 'rs_item', localKey: k, peerKey: k })),
        { peer: localNode, entity: 'rs_line', localKey: line, peerKey: line },
      ]);
    });

    it('clears the copy’s log and sets both directions’ checkpoints to now', async () => {
      await seedRestoredCopy();
      const localEnd = (await logIds(l.ds)).at(-1)!;
      const remoteEnd = (await logIds(r.ds)).at(-1)!;
      const { nodeId } = await adoptCopy(l.ds, r.ds);
      expect(await countRows(l.ds, 'synchro_log')).toBe(0);
      expect(await countRows(r.ds, 'synchro_log')).toBe(2);
      expect((await readCursor(r.ds, nodeId, 'in'))?.logId).toBe(localEnd);
      expect((await readCursor(r.ds, nodeId, 'out'))?.logId).toBe(remoteEnd);
      expect((await readCursor(l.ds, shared, 'out'))?.logId).toBe(localEnd);
      expect((await readCursor(l.ds, shared, 'in'))?.logId).toBe(remoteEnd);
      expect((await bookkeeping(r.ds)).synchro_lease).toBe(0);
    });

    it('lets both directions open a run afterwards, starting at the adopted checkpoints', async () => {
      await seedRestoredCopy();
      await adoptCopy(l.ds, r.ds);
      const newLocal = await insertLog(l.ds, 3000);
      const up = await openSession(l.ds, r.ds);
      try {
        expect(BigInt(up.fromLogId)).toBeLessThan(BigInt(newLocal));
        expect(up.toLogId).toBe(newLocal);
      } finally {
        await up.close();
      }
      const remoteEnd = (await logIds(r.ds)).at(-1)!;
      const down = await openSession(r.ds, l.ds);
      try {
        expect(down.fromLogId).toBe(remoteEnd);
        expect(down.toLogId).toBe(remoteEnd);
      } finally {
        await down.close();
      }
    });
  });
});
