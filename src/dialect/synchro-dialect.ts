import type { DataSource, QueryRunner } from 'typeorm';

/** The databases typeorm-synchro supports. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** How a driver error is classified, so that core code never switches on vendor codes. */
export type ErrorKind =
  'unique' | 'not-null' | 'foreign-key' | 'check' | 'connection' | 'lock-timeout' | 'other';

/**
 * The few things that differ per database, behind one interface. Core code asks the dialect;
 * it never branches on `dataSource.options.type`.
 */
export interface SynchroDialect {
  readonly name: DialectName;
  /** The most bound parameters one statement may carry. */
  readonly maxParameters: number;
  /** `UPDATE`/`DELETE … RETURNING` through TypeORM's query builders. */
  readonly supportsReturning: boolean;
  /** The DataSource has a single connection: library transactions must be serialized with the app's. */
  readonly singleConnection: boolean;
  /** A SQL expression for the server clock in UTC epoch milliseconds (an integer). */
  readonly nowMsSql: string;
  /** Suffix of a SELECT that locks the rows it reads until the transaction ends. */
  readonly forUpdateSql: string;
  /** The placeholder for the `index`-th (1-based) bound parameter. */
  placeholder(index: number): string;
  /** `INSERT … VALUES …` followed by this upserts on the primary key, overwriting `updateColumns`. */
  upsertSuffix(escapedKeyColumns: string[], escapedUpdateColumns: string[]): string;
  /**
   * The highest log id that no still-open transaction can undercut: every row with a lower or equal id
   * is committed and visible when this resolves. Waits at most `timeoutMs`.
   */
  readHighWaterMark(dataSource: DataSource, escapedLogTable: string, timeoutMs: number): Promise<string>;
  /** Takes the run lock on the given runner; false when `timeoutMs` passed without getting it. */
  acquireRunLock(runner: QueryRunner, timeoutMs: number): Promise<boolean>;
  /** Releases the run lock taken by {@link acquireRunLock}. */
  releaseRunLock(runner: QueryRunner): Promise<void>;
  /** A string that is equal for two DataSources exactly when they reach the same database. */
  databaseIdentity(runner: QueryRunner): Promise<string>;
  /** Classifies a driver error (TypeORM's QueryFailedError or the driver's own). */
  classifyError(error: unknown): ErrorKind;
}

/** @internal The driver error object inside a TypeORM QueryFailedError, or the error itself. */
export function driverErrorOf(error: unknown): Record<string, unknown> {
  if (error === null || typeof error !== 'object') return {};
  const inner = (error as { driverError?: unknown }).driverError;
  return (inner !== null && typeof inner === 'object' ? inner : error) as Record<string, unknown>;
}

/** @internal Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @internal Retries `fn` while it fails with an error `retryable` accepts, until `timeoutMs` has passed. */
export async function retryWhile<T>(
  timeoutMs: number,
  retryable: (error: unknown) => boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!retryable(error) || Date.now() >= deadline) throw error;
      await sleep(50);
    }
  }
}
