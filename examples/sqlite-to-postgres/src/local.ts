import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { synchroEntities, SynchroSubscriber } from 'typeorm-synchro';
import { StockItem, Warehouse } from './entities';

/** The local side: an SQLite file, as on a laptop or a shop-floor PC. */
export default new DataSource({
  type: 'better-sqlite3',
  database: join(__dirname, '..', 'data', 'local.sqlite'),
  entities: [Warehouse, StockItem, ...synchroEntities],
  subscribers: [SynchroSubscriber],
  synchronize: true,
});
