import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { synchroEntities, SynchroSubscriber } from 'typeorm-synchro';
import { Post, Topic } from './entities';

function make(options: Partial<DataSourceOptions>): DataSource {
  return new DataSource({
    ...options,
    entities: [Post, Topic, ...synchroEntities],
    subscribers: [SynchroSubscriber],
    synchronize: true,
  } as DataSourceOptions);
}

/** PostgreSQL (PGHOST, PGUSER, PGPASSWORD), database synchro_example_src. */
export const postgres = make({
  type: 'postgres',
  host: process.env.PGHOST ?? '127.0.0.1',
  username: process.env.PGUSER ?? 'postgres',
  password: process.env.PGPASSWORD ?? '',
  database: 'synchro_example_src',
});

/** MySQL or MariaDB (MYSQL_HOST, MYSQL_USER, MYSQL_PASSWORD), database synchro_example_my. */
export const mysql = make({
  type: 'mysql',
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  username: process.env.MYSQL_USER ?? 'root',
  password: process.env.MYSQL_PASSWORD ?? '',
  database: 'synchro_example_my',
});
