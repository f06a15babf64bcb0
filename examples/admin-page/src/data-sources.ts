import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Customer, Invoice } from './entities';
import { synchroEntities, SynchroSubscriber } from './synchro';

/**
 * One SQLite file per site, with the same entities, the library's tables and its subscriber (which
 * logs every change of a `@Synchro` entity).
 */
export function openSite(dataDir: string, file: string): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: join(dataDir, file),
    entities: [Customer, Invoice, ...synchroEntities],
    subscribers: [SynchroSubscriber],
    synchronize: true,
  });
  return dataSource.initialize();
}

/** Gives a fresh office database something to synchronize. */
export async function seedOffice(office: DataSource): Promise<void> {
  const customers = office.getRepository(Customer);
  if ((await customers.count()) > 0) return;
  const acme = await customers.save({ code: 'ACME', name: 'Acme Corporation' });
  await customers.save({ code: 'GLOBEX', name: 'Globex & Partners' });
  await office.getRepository(Invoice).save({ customer: acme, number: 'INV-0001', amount: '1250.00' });
}
