import { createConnection, type Connection } from 'mysql2/promise';
import { mysqlDialect } from '../../src/dialect/mysql-dialect';
import { availableDialects } from '../support/dialects';
import { mysqlServer } from '../support/servers';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const block = mysqlDialect.atomicBlock!;

/** Whether `sql` runs on `conn`, as the capture would find out. */
async function runs(conn: Connection, sql: string, params: unknown[] = []): Promise<boolean> {
  try {
    await conn.query(sql, params);
    return true;
  } catch {
    return false;
  }
}

(availableDialects().includes('mysql') ? describe : describe.skip)(
  'mysqlDialect: the anonymous block and its probe on the real server [mysql]',
  () => {
    let db: TestDatabase;
    let conn: Connection;
    let mariadb: boolean;

    beforeAll(async () => {
      db = await createTestDatabase('mysql');
      const database = (db.options as { database: string }).database;
      conn = await createConnection({ ...mysqlServer, database });
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
      await conn.query('INSERT INTO t VALUES (1, 0), (2, 0)');
      const [rows] = await conn.query('SELECT VERSION() AS v');
      mariadb = /mariadb/i.test(String((rows as { v: string }[])[0]?.v));
    });
    afterAll(async () => {
      await conn?.end();
      await db?.drop();
    });

    it('the probe runs exactly where the block runs, in every sql_mode tried', async () => {
      const seen: Record<string, [boolean, boolean]> = {};
      for (const mode of mariadb ? ['', 'ANSI', 'ORACLE'] : ['']) {
        await conn.query('SET SESSION sql_mode = ?', [mode]);
        const real = block.sql(['UPDATE t SET v = v + 1 WHERE id = ?']);
        seen[mode || 'default'] = [await runs(conn, block.probeSql), await runs(conn, real, [1])];
      }
      await conn.query('SET SESSION sql_mode = DEFAULT');
      for (const [probe, real] of Object.values(seen)) expect(probe).toBe(real);
      // MariaDB runs blocks in its own modes but not in ORACLE mode; MySQL has none.
      expect(seen.default).toEqual([mariadb, mariadb]);
      if (mariadb) expect(seen.ORACLE).toEqual([false, false]);
    });

    it('the probe leaves no transaction open and changes nothing', async () => {
      await conn.query('SET SESSION sql_mode = DEFAULT');
      const [before] = await conn.query('SELECT id, v FROM t ORDER BY id');
      await runs(conn, block.probeSql);
      const [state] = await conn.query('SELECT @@in_transaction AS open');
      expect(Number((state as { open: unknown }[])[0]?.open)).toBe(0);
      expect((await conn.query('SELECT id, v FROM t ORDER BY id'))[0]).toEqual(before);
    });

    it('affectedOf reads the row count of the last statement only (MariaDB; MySQL rejects blocks)', async () => {
      await conn.query('SET SESSION sql_mode = DEFAULT');
      const sql = block.sql([
        'UPDATE t SET v = v + 1 WHERE id = ?',
        'UPDATE t SET v = v + 1 WHERE id IN (?, ?)',
      ]);
      if (!mariadb) {
        expect(await runs(conn, sql, [1, 2])).toBe(false);
        return;
      }
      // What TypeORM hands over as `raw`; the block's own OK packet would say 3 (1 + 2).
      const [result] = await conn.query(sql, [1, 1, 2]);
      expect(block.affectedOf(result)).toBe(2);
    });
  },
);
