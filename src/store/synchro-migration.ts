import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dataSourceOf } from '../core/data-source-of';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_MIGRATION_SQL } from './migration-sql';

/**
 * Creates the library's tables (schema version 1) on SQLite, PostgreSQL or MySQL/MariaDB.
 * Put it in the `migrations` of every synchronized DataSource, or use `synchronize: true`, or write
 * a frozen copy with `typeorm-synchro migration:create`.
 *
 * @example
 * ```ts
 * new DataSource({ ..., entities: [...mine, ...synchroEntities], migrations: [CreateSynchroTables1764300000000] })
 * ```
 */
export class CreateSynchroTables1764300000000 implements MigrationInterface {
  name = 'CreateSynchroTables1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const sql of SYNCHRO_MIGRATION_SQL[dialectFor(dataSourceOf(runner)).name].up)
      await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of SYNCHRO_MIGRATION_SQL[dialectFor(dataSourceOf(runner)).name].down)
      await runner.query(sql);
  }
}
