import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { synchroEntities } from '../../src/store/synchro-entities';
import { LastRows } from '../../src/sync/last-rows';
import { logPages, type LogRow } from '../../src/sync/log-reader';
import { sideSql } from '../../src/sync/sync-sql';
import { logMark } from '../support/capture-harness';
import { describeEachDialect } from '../support/describe-dialects';
import { insertLog, useDatabase } from './run-session-fixtures';

/** Logs `objects` objects twice each, the second row `gap` rows after the first; returns the range. */
async function twoRowsEach(ds: DataSource, objects: number, gap: number) {
  const from = await logMark(ds);
  const order: number[] = [];
  for (let i = 0; i < objects + gap; i++) {
    if (i < objects) order.push(i);
    if (i >= gap) order.push(i - gap);
  }
  for (const object of order) await insertLog(ds, 1_000, 'thing', `{"id":"${object}"}`, 'update');
  return { from, to: await logMark(ds), total: order.length };
}

type Page = readonly LogRow[];

/** The range in pages of `size`, as the engine reads them ({@link logPages}) and hands them to `take`. */
async function pagesOf(ds: DataSource, range: { from: string; to: string }, size: number) {
  const pages: Page[] = [];
  for await (const page of logPages(sideSql(ds), range.from, range.to, size, false)) pages.push(page.rows);
  return pages;
}

/** Objects with rows on more than one page: their last row on an earlier page is not their last. */
function straddling(pages: readonly Page[]): number {
  const pagesOf = new Map<string, number>();
  for (const page of pages)
    for (const object of new Set(page.map((r) => r.object)))
      pagesOf.set(object, (pagesOf.get(object) ?? 0) + 1);
  return [...pagesOf.values()].reduce((sum, n) => sum + n - 1, 0);
}

/** Per page taken, whether each object's last row on it is certainly its last in the range. */
function answers(last: LastRows, pages: readonly Page[]): { certain: string[]; unknown: string[] } {
  const certain: string[] = [];
  const unknown: string[] = [];
  for (const page of pages) {
    last.take(page);
    const lastOnPage = new Map(page.map((row) => [row.object, row]));
    for (const row of lastOnPage.values()) (last.isCertainlyLast(row) ? certain : unknown).push(row.id);
  }
  return { certain, unknown };
}

describeEachDialect('LastRows (which rows of a page are their object last in the range)', (dialect) => {
  const database = useDatabase(dialect, [...synchroEntities]);

  it('settles nearly every last row when the counters are many, and never an earlier one', async () => {
    const ds = database();
    const range = await twoRowsEach(ds, 60, 7);
    const pages = await pagesOf(ds, range, 10);
    const rows = pages.flat();
    const lastIds = new Set(new Map(rows.map((r) => [r.object, r.id])).values());
    const last = await LastRows.scan(sideSql(ds), range.from, range.to, range.total);
    const { certain, unknown } = answers(last, pages);
    expect(certain.every((id) => lastIds.has(id))).toBe(true);
    // Two objects of 60 may share both counters; the rest are settled without a query.
    expect(certain.length).toBeGreaterThanOrEqual(lastIds.size * 0.9);
    expect(certain.length + unknown.length).toBe(lastIds.size + straddling(pages));
  });

  it('answers "not known" (never "last") when counters are shared or stuck', async () => {
    const ds = database();
    const range = await twoRowsEach(ds, 40, 5);
    const pages = await pagesOf(ds, range, 8);
    const lastIds = new Set(new Map(pages.flat().map((r) => [r.object, r.id])).values());
    const last = await LastRows.scan(sideSql(ds), range.from, range.to, range.total, 2);
    const { certain, unknown } = answers(last, pages);
    expect(certain.every((id) => lastIds.has(id))).toBe(true);
    expect(unknown.length).toBeGreaterThan(0);
  });

  it('stops answering "last" once it is handed a row the scan did not count', async () => {
    const ds = database();
    const range = await twoRowsEach(ds, 20, 1);
    const pages = await pagesOf(ds, range, 10);
    const rows = pages.flat();
    const last = await LastRows.scan(sideSql(ds), range.from, range.to, range.total);
    for (const page of pages) last.take(page);
    // Every row taken: every counter is back at zero, so every row answers "last".
    expect(rows.every((row) => last.isCertainlyLast(row))).toBe(true);
    // The first page again: rows counted once and taken twice.
    last.take(pages[0] ?? []);
    expect(rows.some((row) => last.isCertainlyLast(row))).toBe(false);
  });
});
