import 'reflect-metadata';
import type { DataSource, QueryRunner } from 'typeorm';
import { encodeKey } from '../../src/core/entity-key';
import { synchroEntities } from '../../src/index';
import { lookupIdMap, writeRemoteIdMap, type IdMapSides } from '../../src/sync/id-map-store';
import { sideSql } from '../../src/sync/sync-sql';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

const key = (n: number) => encodeKey({ id: String(n) });

/** A node id as the library makes them: the plan goes wrong at 7,000–10,000 pairs of such a peer. */
const OFFICE = 'e0a5c2b4-1f3d-4a8e-9b7c-6d5e4f3a2b1c';

/** Statements sent through the remote side, with their parameters. */
type Sent = [string, unknown[]][];

describeEachDialect('id map: a run that grows the map keeps probing it per key', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;
  let runner: QueryRunner;
  const sent: Sent = [];
  let sides: IdMapSides;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openDataSource(db, { entities: [...synchroEntities] });
    runner = ds.createQueryRunner();
    const recording = {
      query: (sql: string, params: unknown[] = []) => {
        sent.push([sql, params]);
        return runner.query(sql, params);
      },
    };
    sides = { local: sideSql(ds), remote: sideSql(ds, recording), localNode: OFFICE, remoteNode: 'web' };
  });
  afterAll(async () => {
    await runner?.release();
    await ds?.destroy();
    await db?.drop();
  });

  /** Writes pairs 1…`count` (local key n → remote key n + 100,000) in batches of 1,000, as a run does. */
  async function grow(count: number): Promise<void> {
    for (let start = 1; start <= count; start += 1_000) {
      const pairs = Array.from({ length: 1_000 }, (_, i) => ({
        localKey: key(start + i),
        remoteKey: key(start + i + 100_000),
      }));
      await writeRemoteIdMap(sides, 'Item', pairs, []);
    }
  }

  it('finds the pairs written earlier in the same transaction, and only those', async () => {
    await runner.startTransaction();
    try {
      await grow(9_000);
      const asked = Array.from({ length: 1_000 }, (_, i) => key(8_501 + i));
      const found = await lookupIdMap(sides, 'Item', asked);
      expect(found.candidates.size).toBe(500);
      expect(found.candidates.get(key(8_501))).toEqual([key(108_501)]);
      expect(found.candidates.get(key(9_001))).toBeUndefined();
    } finally {
      await runner.rollbackTransaction();
    }
  });

  if (dialect === 'postgres') {
    it('plans the lookup as one index probe of the peer_key index per key, at a size statistics-less plans get wrong', async () => {
      await runner.startTransaction();
      try {
        await grow(9_000);
        sent.length = 0;
        await lookupIdMap(
          sides,
          'Item',
          Array.from({ length: 1_000 }, (_, i) => key(8_501 + i)),
        );
        const [sql, params] = sent.find(([s]) => s.includes('LATERAL')) ?? ['', []];
        const plan = (await runner.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
        const text = plan.map((row) => row['QUERY PLAN']).join('\n');
        expect(text).toMatch(/Index (Only )?Scan using "?IX_synchro_id_map_peer_key"?/);
        expect(text).not.toMatch(/Seq Scan|Hash Join|using "?PK_/);
      } finally {
        await runner.rollbackTransaction();
      }
    });
  }
});
