import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dialectFor } from '../../src/dialect/dialect-for';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { TypeSample, useSyncPair } from '../support/sync-fixtures';

const BIG = '9007199254740993'; // 2^53 + 1: not representable as a JS number

/** The bigint column as text, read losslessly on every database. */
async function bigOf(ds: DataSource, id: string): Promise<string | null> {
  const e = (n: string) => ds.driver.escape(n);
  const cast = ds.options.type === 'better-sqlite3' ? `CAST(${e('big')} AS TEXT)` : e('big');
  const rows = (await ds.query(
    `SELECT ${cast} AS v FROM ${e('fx_type_sample')} WHERE ${e('id')} = '${id}'`,
  )) as {
    v: unknown;
  }[];
  return rows[0]?.v === null || rows[0]?.v === undefined ? null : String(rows[0].v);
}

/**
 * Registers the type round-trip suite; the calling file sets `TZ` first and passes the expected
 * January UTC offset (minutes, as `getTimezoneOffset` reports it) to prove it took effect.
 */
export function typeRoundTripSuite(zone: string, januaryOffset: number): void {
  it(`runs with the Node process in ${zone}`, () => {
    expect(process.env.TZ).toBe(zone);
    expect(new Date(2024, 0, 15).getTimezoneOffset()).toBe(januaryOffset);
  });

  describeEachPair(`engine types round-trip (${zone})`, (pair) => {
    const db = useSyncPair(pair, [TypeSample]);

    it('B3: dates (across DST, in a non-UTC zone), booleans, decimals, bigints, JSON, UUIDs, enums, nullable and default columns', async () => {
      const full = {
        id: randomUUID(),
        // Around the DST switches of both zones.
        happenedAt: new Date('2024-03-10T07:30:15.123Z'),
        day: '2024-03-31',
        flag: true,
        amount: '12345678.1234',
        big: BIG,
        data: { a: [1, 'two', null], nested: { ok: true } },
        color: 'blue' as const,
        note: 'zażółć "quotes" \\ back',
        withDefault: 9,
      };
      const sparse = {
        id: randomUUID(),
        happenedAt: null,
        day: null,
        amount: null,
        big: null,
        data: null,
        note: null,
      };
      await db.local.getRepository(TypeSample).save([full, sparse]);
      await synchronize({ local: db.local, remote: db.remote });
      const remote = await db.remote.getRepository(TypeSample).findOneByOrFail({ id: full.id });
      const precisionMs = pair.target === 'mysql' ? 1000 : 1;
      const expectedTime = Math.floor(full.happenedAt.getTime() / precisionMs) * precisionMs;
      expect(Math.abs((remote.happenedAt?.getTime() ?? 0) - expectedTime)).toBeLessThan(precisionMs);
      expect(remote.day).toBe('2024-03-31');
      expect(remote.flag).toBe(true);
      expect(Number(remote.amount)).toBe(12345678.1234);
      expect(await bigOf(db.remote, full.id)).toBe(BIG);
      expect(remote.data).toEqual(full.data);
      expect(remote.color).toBe('blue');
      expect(remote.note).toBe(full.note);
      expect(remote.withDefault).toBe(9);
      const empty = await db.remote.getRepository(TypeSample).findOneByOrFail({ id: sparse.id });
      expect(empty).toMatchObject({
        happenedAt: null,
        day: null,
        amount: null,
        data: null,
        note: null,
        flag: false,
        color: 'green',
        withDefault: 5,
      });
      expect(await bigOf(db.remote, sparse.id)).toBeNull();
    });

    it('an update changes the values without duplicating the UUID-keyed row', async () => {
      const [row] = await db.local.getRepository(TypeSample).find({ where: { color: 'blue' } });
      await db.local
        .getRepository(TypeSample)
        .save({ ...(row as TypeSample), flag: false, color: 'red', day: '2024-10-27' });
      await synchronize({ local: db.local, remote: db.remote });
      const remote = await db.remote.getRepository(TypeSample).findOneByOrFail({ id: row?.id });
      expect([remote.flag, remote.color, remote.day]).toEqual([false, 'red', '2024-10-27']);
      expect(await db.remote.getRepository(TypeSample).count()).toBe(2);
      expect(await bigOf(db.remote, row?.id as string)).toBe(BIG);
    });

    it('JSON text arrives exactly as it is stored, spacing and key order included', async () => {
      const id = randomUUID();
      const repository = db.local.getRepository(TypeSample);
      await repository.save({ id, data: { a: 1 } });
      const text = '{ "b" : 1,  "a" : [ 2, "x" ] }';
      const e = (n: string) => db.local.driver.escape(n);
      const p = dialectFor(db.local).placeholder;
      // Written beside TypeORM (not logged), then logged by a change to another column.
      await db.local.query(
        `UPDATE ${e('fx_type_sample')} SET ${e('data')} = ${p(1)} WHERE ${e('id')} = ${p(2)}`,
        [text, id],
      );
      await repository.update({ id }, { note: 'json' });
      await synchronize({ local: db.local, remote: db.remote });
      const r = (n: string) => db.remote.driver.escape(n);
      const q = dialectFor(db.remote).placeholder(1);
      const rows = (await db.remote.query(
        `SELECT ${r('data')} AS v FROM ${r('fx_type_sample')} WHERE ${r('id')} = ${q}`,
        [id],
      )) as { v: unknown }[];
      expect(rows[0]?.v).toBe(text);
      expect((await db.remote.getRepository(TypeSample).findOneByOrFail({ id })).data).toEqual({
        b: 1,
        a: [2, 'x'],
      });
    });
  });
}
