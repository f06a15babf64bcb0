import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { synchroEntities, SynchroSubscriber } from 'typeorm-synchro';
import { StockItem, Warehouse } from './entities';

/** The remote side: PostgreSQL (PGHOST, PGPORT, PGUSER, PGPASSWORD; database synchro_example_pg). */
export default new DataSource({
  type: 'postgres',
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  username: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD ?? '',
  database: 'synchro_example_pg',
  entities: [Warehouse, StockItem, ...synchroEntities],
  subscribers: [SynchroSubscriber],
  synchronize: true,
});
