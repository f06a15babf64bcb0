import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { TestDialect } from './dialects';
import { mysqlServer, postgresServer } from './servers';

/** A database of its own for one test file, created on the real server and dropped afterwards. */
export interface TestDatabase {
  dialect: TestDialect;
  /** Connection options without entities; spread them into a DataSource. */
  options: DataSourceOptions;
  drop(): Promise<void>;
}

/** Creates a fresh, empty database for `dialect`. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const name = `synchro_t_${randomBytes(5).toString('hex')}`;
  return CREATORS[dialect](name);
}

const CREATORS: Record<TestDialect, (name: string) => Promise<TestDatabase>> = {
  sqlite: async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'synchro-'));
    return {
      dialect: 'sqlite',
      options: { type: 'better-sqlite3', database: join(dir, `${name}.sqlite`) },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  postgres: async (name) => {
    await postgresAdmin(`CREATE DATABASE ${name}`);
    return {
      dialect: 'postgres',
      options: { type: 'postgres', ...postgresServer, username: postgresServer.user, database: name },
      drop: () => postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  },
  mysql: async (name) => {
    await mysqlAdmin(`CREATE DATABASE ${name}`);
    return {
      dialect: 'mysql',
      options: { type: 'mysql', ...mysqlServer, username: mysqlServer.user, database: name },
      drop: () => mysqlAdmin(`DROP DATABASE IF EXISTS ${name}`),
    };
  },
};

async function postgresAdmin(sql: string): Promise<void> {
  const client = new Client({ ...postgresServer, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function mysqlAdmin(sql: string): Promise<void> {
  const conn = await createConnection(mysqlServer);
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** Creates, initializes (with `synchronize: true` unless told otherwise) and returns a DataSource. */
export async function openDataSource(
  db: TestDatabase,
  extra: Partial<DataSourceOptions> & Pick<DataSourceOptions, 'entities'>,
): Promise<DataSource> {
  const ds = new DataSource({ synchronize: true, ...db.options, ...extra } as DataSourceOptions);
  await ds.initialize();
  return ds;
}
