import 'reflect-metadata';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { synchroEntities } from '../../src/store/synchro-entities';
import { logPages, type LogRow, type ObjectLogSummary } from '../../src/sync/log-reader';
import { RangeSummaries, type RangeSummaryLimits } from '../../src/sync/range-summaries';
import { sideSql, type SideSql } from '../../src/sync/sync-sql';
import { describeEachDialect } from '../support/describe-dialects';
import { logMark } from '../support/capture-harness';
import { insertLog, useDatabase } from './run-session-fixtures';

const ACTIONS = ['insert', 'update', 'delete', 'm2m'] as const;

interface Change {
  object: number;
  action: (typeof ACTIONS)[number];
  atMs: number;
}

const change = fc.record({
  object: fc.integer({ min: 0, max: 6 }),
  action: fc.constantFrom(...ACTIONS),
  atMs: fc.integer({ min: 1_000, max: 9_000 }),
});

/** Entities alternate so that the same key under two entities stays two objects. */
const entityOf = (object: number) => (object % 2 === 0 ? 'even' : 'odd');
const keyOf = (object: number) => `{"id":"${Math.floor(object / 2)}"}`;

/** Appends the changes to the log, with their own times; returns the highest log id after them. */
async function appendLog(ds: DataSource, changes: readonly Change[]): Promise<string> {
  for (const c of changes) await insertLog(ds, c.atMs, entityOf(c.object), keyOf(c.object), c.action);
  return logMark(ds);
}

/** What every object's rows in the range say, computed from the rows themselves. */
function bruteForce(rows: readonly LogRow[]): Map<string, ObjectLogSummary> {
  const out = new Map<string, ObjectLogSummary>();
  for (const row of rows) {
    const id = `${row.entity}\u0000${row.objectKey}`;
    const known = out.get(id);
    out.set(id, {
      maxId: row.id,
      maxAtMs: Math.max(known?.maxAtMs ?? row.atMs, row.atMs),
      insertedInRange: (known?.insertedInRange ?? false) || row.action === 'insert',
    });
  }
  return out;
}

/** Pages through the range as the engine does and collects each page's summaries. */
async function pageThrough(
  side: SideSql,
  range: { from: string; to: string; total: number },
  pageSize: number,
  limits: RangeSummaryLimits,
): Promise<{ found: Map<string, ObjectLogSummary>; pageOf: Map<string, readonly LogRow[]>; all: LogRow[] }> {
  const summaries = await RangeSummaries.open(side, range, pageSize, limits);
  const found = new Map<string, ObjectLogSummary>();
  const pageOf = new Map<string, readonly LogRow[]>();
  const all: LogRow[] = [];
  // Pages and their `endsRange` exactly as the engine reads them.
  for await (const { rows, endsRange } of logPages(side, range.from, range.to, pageSize, false)) {
    all.push(...rows);
    for (const [id, summary] of await summaries.of(rows, endsRange)) {
      expect(found.has(id)).toBe(false);
      found.set(id, summary);
      pageOf.set(id, rows);
    }
  }
  return { found, pageOf, all };
}

describeEachDialect(
  'RangeSummaries (each object once, at its last row, with its range summary)',
  (dialect) => {
    const database = useDatabase(dialect, [...synchroEntities]);

    it('matches the summary of all the range rows, whatever the page size, counters and carry limit', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(change, { maxLength: 4 }),
          fc.array(change, { minLength: 1, maxLength: 30 }),
          fc.array(change, { maxLength: 4 }),
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom(1, 2, 1024),
          fc.constantFrom(1, 2, 50_000),
          async (before, inRange, after, pageSize, counters, carry) => {
            const ds = database();
            const side = sideSql(ds);
            const from = await appendLog(ds, before);
            const to = await appendLog(ds, inRange);
            await appendLog(ds, after);
            const range = { from, to, total: inRange.length };
            const { found, pageOf, all } = await pageThrough(side, range, pageSize, { counters, carry });
            expect(all).toHaveLength(inRange.length);
            expect(found).toEqual(bruteForce(all));
            for (const [id, summary] of found)
              expect(pageOf.get(id)?.some((r) => r.id === summary.maxId)).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    }, 120_000);
  },
);
