/**
 * A child process for the lease tests: takes the SQLite run lease on the given file, prints
 * `held <owner>` and keeps it (renewing) until it is killed.
 * Usage: node -r ts-node/register/transpile-only lease-child.ts '<json {database}>'
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { sqliteDialect } from '../../../src/dialect/sqlite-dialect';
import { synchroEntities } from '../../../src/store/synchro-entities';
import { SYNCHRO_TABLES } from '../../../src/store/synchro-tables';

async function main(): Promise<void> {
  const { database } = JSON.parse(process.argv[2] ?? '{}') as { database: string };
  const ds = await new DataSource({
    type: 'better-sqlite3',
    database,
    entities: [...synchroEntities],
  }).initialize();
  const runner = ds.createQueryRunner();
  if (!(await sqliteDialect.acquireRunLock(runner, 10_000))) throw new Error('lease not acquired');
  const rows = (await runner.query(`SELECT "owner" FROM ${ds.driver.escape(SYNCHRO_TABLES.lease)}`)) as {
    owner: string;
  }[];
  process.stdout.write(`held ${rows[0]?.owner}\n`);
  // The renewal timer does not keep a process alive; this does, until the parent kills it.
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
