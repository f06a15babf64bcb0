import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { NaturalKey, Synchro, synchroEntities, SynchroSubscriber } from '../../../src/index';
import type { TestDialect } from '../../support/dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../support/test-database';

/** Customers, matched across databases by their code. */
@NaturalKey(['code'])
@Synchro({ name: 'customer' })
@Entity({ name: 'admin_customer' })
export class AdminCustomer {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() name!: string;
}

/** An entity logged under a name full of HTML, to prove the page escapes entity names. */
export const EVIL_ENTITY_NAME = '<img src=x onerror=alert(1)>"&\'';

@Synchro({ name: EVIL_ENTITY_NAME })
@Entity({ name: 'admin_evil' })
export class AdminEvil {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

/** A local and a remote database with the library's tables and the capture subscriber. */
export interface DatabasePair {
  local: DataSource;
  remote: DataSource;
  close(): Promise<void>;
}

/** Opens a fresh local and remote database (each its own file or database, dropped by `close`). */
export async function openPair(
  localDialect: TestDialect = 'sqlite',
  remoteDialect: TestDialect = 'sqlite',
): Promise<DatabasePair> {
  const dbs: TestDatabase[] = [
    await createTestDatabase(localDialect),
    await createTestDatabase(remoteDialect),
  ];
  const open = (db: TestDatabase) =>
    openDataSource(db, {
      entities: [AdminCustomer, AdminEvil, ...synchroEntities],
      subscribers: [SynchroSubscriber],
    });
  const [local, remote] = [await open(dbs[0]!), await open(dbs[1]!)];
  return {
    local,
    remote,
    close: async () => {
      await Promise.all([local.destroy(), remote.destroy()]);
      await Promise.all(dbs.map((db) => db.drop()));
    },
  };
}

/** A plain node http server around a request handler, on a free port. */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<{ origin: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Counts the rows of a table. */
export async function countRows(ds: DataSource, table: string): Promise<number> {
  const rows = (await ds.query(`SELECT COUNT(*) AS n FROM ${ds.driver.escape(table)}`)) as { n: unknown }[];
  return Number(rows[0]?.n ?? 0);
}

/** Fetches a run page until it stops refreshing itself; returns the final page. */
export async function waitForRunPage(
  get: (path: string) => Promise<{ body: string }>,
  path: string,
): Promise<string> {
  for (;;) {
    const { body } = await get(path);
    if (!body.includes('http-equiv="refresh"')) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
