import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A DataSource, or something bound to one: an EntityManager or a QueryRunner. */
export type DataSourceLike = DataSource | EntityManager | QueryRunner;

/**
 * The DataSource behind a manager or runner, on TypeORM 0.3 (`.connection`) and 1.x (`.dataSource`,
 * with `.connection` kept as a deprecated getter). This is the one place that difference lives.
 */
export function dataSourceOf(x: DataSourceLike): DataSource {
  if (isDataSource(x)) return x;
  const bound = x as { dataSource?: DataSource; connection?: DataSource };
  return (bound.dataSource ?? bound.connection) as DataSource;
}

function isDataSource(x: DataSourceLike): x is DataSource {
  return typeof (x as DataSource).initialize === 'function' && typeof (x as DataSource).driver === 'object';
}
