import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { CreateSynchroTables1764300000000, synchroEntities } from '../../src/index';
import { ensureNodeId, readNodeId } from '../../src/store/node-identity';
import { describeEachDialect } from '../support/describe-dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

describeEachDialect('library tables', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openDataSource(db, {
      entities: [...synchroEntities],
      synchronize: false,
      migrations: [CreateSynchroTables1764300000000],
    });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('the migration creates exactly the tables synchronize: true would', async () => {
    await ds.runMigrations();
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('log ids hold 64-bit values and generated ids increase', async () => {
    const e = (n: string) => ds.driver.escape(n);
    const cols = `${e('entity')}, ${e('object_key')}, ${e('action')}, ${e('at_ms')}, ${e('natural_key')}`;
    await ds.query(
      `INSERT INTO ${e('synchro_log')} (${e('id')}, ${cols}) VALUES (5000000000, 'big', '{}', 'insert', 0, 'null')`,
    );
    await ds.query(`DELETE FROM ${e('synchro_log')}`);
    await ds.query(`INSERT INTO ${e('synchro_log')} (${cols}) VALUES ('a', '{}', 'insert', 0, 'null')`);
    await ds.query(`INSERT INTO ${e('synchro_log')} (${cols}) VALUES ('b', '{}', 'insert', 0, 'null')`);
    const rows = (await ds.query(
      `SELECT ${e('id')} AS id, ${e('entity')} AS entity FROM ${e('synchro_log')} ORDER BY ${e('id')}`,
    )) as { id: unknown; entity: string }[];
    expect(rows.map((r) => r.entity)).toEqual(['a', 'b']);
    expect(BigInt(String(rows[1]!.id))).toBeGreaterThan(BigInt(String(rows[0]!.id)));
  });

  it('assigns one node identity on first use and keeps it', async () => {
    expect(await readNodeId(ds)).toBeUndefined();
    const id = await ensureNodeId(ds);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ensureNodeId(ds)).toBe(id);
  });

  it('down drops every table', async () => {
    await ds.undoLastMigration();
    const tables = await Promise.all(
      synchroEntities.map((s) => ds.createQueryRunner().hasTable(s.options.tableName!)),
    );
    expect(tables.every((exists) => !exists)).toBe(true);
  });
});
