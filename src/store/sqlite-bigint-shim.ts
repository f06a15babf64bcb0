import { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';

const INSTALLED = Symbol.for('typeorm-synchro:sqlite-bigint-shim');

interface TypedColumn {
  type?: unknown;
  isGenerated?: boolean;
  generationStrategy?: string;
  isPrimary?: boolean;
}

/**
 * SQLite accepts AUTOINCREMENT only on a column declared exactly `INTEGER` (which is 64-bit there),
 * while TypeORM emits `bigint PRIMARY KEY AUTOINCREMENT`. This maps a generated-increment `bigint`
 * primary column to `integer` on SQLite only, so the log id is 64-bit on every database.
 * @internal
 */
export function installSqliteBigintShim(): void {
  const proto = AbstractSqliteDriver.prototype as unknown as Record<symbol | string, unknown>;
  if (proto[INSTALLED] === true) return;
  const original = proto.normalizeType as (this: unknown, column: TypedColumn) => string;
  proto.normalizeType = function normalizeType(this: unknown, column: TypedColumn): string {
    const isIncrementBigint =
      column.type === 'bigint' && column.isGenerated === true && column.generationStrategy === 'increment';
    return isIncrementBigint ? 'integer' : original.call(this, column);
  };
  proto[INSTALLED] = true;
}
