import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { synchroEntities, SynchroSubscriber } from 'typeorm-synchro';
import { Customer, Order, Tag } from './entities';
import { OrderSubscriber } from './order-subscriber';

/** Both sites run the same app: the same entities, the library's tables and its subscriber. */
export function makeDataSource(file: string): DataSource {
  return new DataSource({
    type: 'better-sqlite3',
    database: join(__dirname, '..', 'data', file),
    entities: [Customer, Order, Tag, ...synchroEntities],
    subscribers: [SynchroSubscriber, OrderSubscriber],
    synchronize: true,
  });
}
