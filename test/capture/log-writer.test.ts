import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { writeLogRows, type LogRowInput } from '../../src/capture/log-writer';
import { encodeKey } from '../../src/core/entity-key';
import { encodeTyped } from '../../src/core/typed-json';
import { dialectFor } from '../../src/dialect/dialect-for';
import { logMark, openCaptureDataSource, readLog, row } from '../support/capture-harness';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** Log rows for ids `from…to-1`, as a bulk save of one entity writes them. */
function inserts(entity: string, from: number, to: number): LogRowInput[] {
  return Array.from({ length: to - from }, (_, i) => ({
    entity,
    key: encodeKey({ id: from + i }),
    action: 'insert' as const,
  }));
}

describeEachDialect('capture: the log writer', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openCaptureDataSource(db, { subscriber: false });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function written(rows: readonly LogRowInput[]): Promise<ReturnType<typeof readLog>> {
    const mark = await logMark(ds);
    await ds.transaction((m) => writeLogRows(m.queryRunner!, rows));
    return readLog(ds, mark);
  }

  it('writes many rows of one entity and action in order, each with its own key', async () => {
    // More rows than one multi-row VALUES statement may bind on SQLite (6,553) and MySQL (4,000).
    const rows = inserts('Item', 1, 7001);
    const logged = await written(rows);
    expect(logged).toEqual(rows.map((r, i) => row('Item', { id: i + 1 }, 'insert')));
  });

  it('writes rows that differ in entity, action and natural key in order, each as given', async () => {
    const rows: LogRowInput[] = [
      ...inserts('Item', 1, 3),
      { entity: 'Tag', key: encodeKey({ id: 7 }), action: 'm2m' },
      {
        entity: 'Country',
        key: encodeKey({ id: 9 }),
        action: 'delete',
        naturalKey: encodeTyped({ code: 'PL' }),
      },
      { entity: 'Item', key: encodeKey({ id: 1 }), action: 'update' },
    ];
    expect(await written(rows)).toEqual([
      row('Item', { id: 1 }, 'insert'),
      row('Item', { id: 2 }, 'insert'),
      row('Tag', { id: 7 }, 'm2m'),
      row('Country', { id: 9 }, 'delete', { code: 'PL' }),
      row('Item', { id: 1 }, 'update'),
    ]);
  });

  it('writes rows that share some columns and differ in others, each as given', async () => {
    const rows: LogRowInput[] = [
      { entity: 'Item', key: encodeKey({ id: 1 }), action: 'insert' },
      { entity: 'Item', key: encodeKey({ id: 2 }), action: 'update' },
      { entity: 'Item', key: encodeKey({ id: 3 }), action: 'm2m' },
    ];
    expect(await written(rows)).toEqual([
      row('Item', { id: 1 }, 'insert'),
      row('Item', { id: 2 }, 'update'),
      row('Item', { id: 3 }, 'm2m'),
    ]);
  });

  it("stamps every row with the database server's clock at the time of the write", async () => {
    const e = (n: string) => ds.driver.escape(n);
    const serverNow = async () =>
      Number(
        ((await ds.query(`SELECT ${dialectFor(ds).nowMsSql} AS ${e('ms')}`)) as { ms: unknown }[])[0]?.ms,
      );
    const mark = await logMark(ds);
    const before = await serverNow();
    await ds.transaction((m) => writeLogRows(m.queryRunner!, inserts('Item', 1, 101)));
    const after = await serverNow();
    const stamps = (await ds.query(
      `SELECT ${e('at_ms')} AS ${e('at')} FROM ${e('synchro_log')} WHERE ${e('id')} > ${Number(mark)}`,
    )) as { at: unknown }[];
    expect(stamps).toHaveLength(100);
    for (const { at } of stamps) {
      expect(Number(at)).toBeGreaterThanOrEqual(before);
      expect(Number(at)).toBeLessThanOrEqual(after);
    }
  });
});
