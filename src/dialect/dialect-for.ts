import type { DataSource } from 'typeorm';
import { InvalidOptionError } from '../core/errors';
import { mysqlDialect } from './mysql-dialect';
import { postgresDialect } from './postgres-dialect';
import { sqliteDialect } from './sqlite-dialect';
import type { SynchroDialect } from './synchro-dialect';

const BY_DRIVER_TYPE: Record<string, SynchroDialect> = {
  'better-sqlite3': sqliteDialect,
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
  mariadb: mysqlDialect,
};

/** The dialect of a DataSource; a typed error for a database typeorm-synchro does not support. */
export function dialectFor(dataSource: DataSource): SynchroDialect {
  const type = String(dataSource.options.type);
  const dialect = BY_DRIVER_TYPE[type];
  if (dialect === undefined) {
    throw new InvalidOptionError(
      'DataSource.type',
      `"${type}" is not supported`,
      'use better-sqlite3, postgres, mysql or mariadb',
    );
  }
  return dialect;
}

/**
 * The typeorm-synchro dialect name of a DataSource or its options, without connecting.
 *
 * @example
 * ```ts
 * dialectNameOf({ type: 'mariadb' }) // 'mysql'
 * ```
 */
export function dialectNameOf(
  dataSource: Pick<DataSource, 'options'> | { type: unknown },
): SynchroDialect['name'] {
  const options = 'options' in dataSource ? dataSource.options : dataSource;
  return dialectFor({ options } as DataSource).name;
}
