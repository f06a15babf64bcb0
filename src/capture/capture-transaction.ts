import type { DataSource, QueryRunner } from 'typeorm';
import { needsMutex, withTransactionMutex } from './transaction-mutex';

/** The parts of TypeORM's write query builders the capture uses (public in both 0.3 and 1.x). */
export interface WriteBuilder {
  queryRunner?: QueryRunner;
  setQueryRunner(runner: QueryRunner): unknown;
}

/**
 * `work` of {@link inCaptureTransaction}: `ownTransaction` is true when the transaction was started for
 * this one statement, so a failure anywhere in `work` rolls back everything it wrote.
 * @internal
 */
export type CaptureWork<T> = (runner: QueryRunner, ownTransaction: boolean) => Promise<T>;

/**
 * Runs `work` with the builder bound to a runner inside a transaction: the caller's open transaction
 * when there is one, else one started (and committed or rolled back) here, so the change and its log
 * rows are atomic. On a single-connection database a forced transaction first takes the DataSource's
 * transaction mutex, so it cannot interleave with another flow's transaction.
 * @internal
 */
export async function inCaptureTransaction<T>(
  builder: WriteBuilder,
  dataSource: DataSource,
  work: CaptureWork<T>,
): Promise<T> {
  const explicit = builder.queryRunner;
  if (explicit?.isTransactionActive === true) return work(explicit, false);
  if (explicit === undefined && needsMutex(dataSource)) {
    return withTransactionMutex(dataSource, () => bindAndRun(builder, dataSource, explicit, work));
  }
  return bindAndRun(builder, dataSource, explicit, work);
}

async function bindAndRun<T>(
  builder: WriteBuilder,
  dataSource: DataSource,
  explicit: QueryRunner | undefined,
  work: CaptureWork<T>,
): Promise<T> {
  const runner = explicit ?? dataSource.createQueryRunner();
  builder.setQueryRunner(runner);
  try {
    return await inTransaction(runner, work);
  } finally {
    builder.queryRunner = explicit;
    if (explicit === undefined) await runner.release();
  }
}

async function inTransaction<T>(runner: QueryRunner, work: CaptureWork<T>): Promise<T> {
  // Joined: on a single connection, a transaction still open here belongs to this flow (the mutex).
  if (runner.isTransactionActive) return work(runner, false);
  await runner.startTransaction();
  try {
    const result = await work(runner, true);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  }
}
