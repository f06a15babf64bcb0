import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { requestedDialects, type TestDialect } from './dialects';
import { mysqlServer, postgresServer } from './servers';

const PROBES: Record<TestDialect, () => Promise<void>> = {
  sqlite: async () => undefined,
  postgres: async () => {
    const client = new Client({ ...postgresServer, database: 'postgres', connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.end();
  },
  mysql: async () => {
    const conn = await createConnection({ ...mysqlServer, connectTimeout: 3000 });
    await conn.end();
  },
};

/**
 * Finds which requested databases are reachable. Locally a missing server skips its suites with one
 * loud line; under CI=true every requested database is required and a missing one fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const available: TestDialect[] = [];
  for (const dialect of requestedDialects()) {
    try {
      await PROBES[dialect]();
      available.push(dialect);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (process.env.CI === 'true')
        throw new Error(`CI requires ${dialect}, which is unreachable: ${reason}`);
      process.stderr.write(
        `\n!!! ${dialect.toUpperCase()} UNREACHABLE (${reason}): its suites are SKIPPED !!!\n`,
      );
    }
  }
  process.env.SYNCHRO_AVAILABLE_DIALECTS = available.join(',');
}
