import 'reflect-metadata';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { synchroEntities } from '../../src/store/synchro-entities';
import { logPages, readLogPage } from '../../src/sync/log-reader';
import { sideSql, type SideSql } from '../../src/sync/sync-sql';
import { describeEachDialect } from '../support/describe-dialects';
import { logMark } from '../support/capture-harness';
import { insertLog, useDatabase } from './run-session-fixtures';

/** Appends `count` log rows; returns the highest log id after them. */
async function appendLog(ds: DataSource, count: number): Promise<string> {
  for (let i = 0; i < count; i++) await insertLog(ds, 1, 'item', `{"id":"${i}"}`, 'update');
  return logMark(ds);
}

/** The same side, counting the statements sent through it. */
function counting(side: SideSql): { side: SideSql; reads: () => number } {
  let reads = 0;
  const db = { query: (sql: string, params?: unknown[]) => ((reads += 1), side.db.query(sql, params)) };
  return { side: { ...side, db: db as SideSql['db'] }, reads: () => reads };
}

describeEachDialect('logPages (the log range in pages, read ahead or on demand)', (dialect) => {
  const database = useDatabase(dialect, [...synchroEntities]);

  it('hands out every row of the range once, in order, and reads nothing past the page that ends it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        async (inRange, afterRange, limit, readAhead) => {
          const ds = database();
          const side = sideSql(ds);
          const from = await appendLog(ds, 0);
          const to = await appendLog(ds, inRange);
          await appendLog(ds, afterRange);
          const expected = await readLogPage(side, from, to, 1000);
          const probe = counting(side);
          const pages = [];
          for await (const page of logPages(probe.side, from, to, limit, readAhead)) {
            pages.push(page);
            // Read ahead, the next page is already being read while this one is handed out.
            const ahead = readAhead && !page.endsRange ? 1 : 0;
            expect(probe.reads()).toBe(pages.length + ahead);
          }
          expect(pages.flatMap((p) => p.rows)).toEqual(expected);
          expect(pages.every((p) => p.rows.length > 0 && p.rows.length <= limit)).toBe(true);
          expect(pages.map((p) => p.lastId)).toEqual(pages.map((p) => p.rows[p.rows.length - 1]?.id));
          expect(pages.map((p) => p.endsRange)).toEqual(pages.map((_, i) => i === pages.length - 1));
          expect(probe.reads()).toBe(Math.max(1, pages.length));
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
