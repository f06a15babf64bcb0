import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';

const held = new AsyncLocalStorage<ReadonlySet<DataSource>>();
const tails = new WeakMap<DataSource, Promise<void>>();

/**
 * Runs `fn` while holding `dataSource`'s transaction mutex when the database has a single connection
 * (better-sqlite3), so that two async flows never interleave their transactions on it; re-entrant
 * within one flow; a no-op on pooled databases. The library's forced capture transactions, the
 * SQLite app transactions it guards and the synchronizer's SQLite transactions all take it.
 *
 * @example
 * ```ts
 * await withTransactionMutex(ds, () => ds.transaction(async (m) => { ... }))
 * ```
 */
export async function withTransactionMutex<T>(dataSource: DataSource, fn: () => Promise<T>): Promise<T> {
  if (!needsMutex(dataSource)) return fn();
  const previous = tails.get(dataSource) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => (release = resolve));
  tails.set(
    dataSource,
    previous.then(() => mine),
  );
  await previous;
  try {
    return await held.run(new Set([...(held.getStore() ?? []), dataSource]), fn);
  } finally {
    release();
  }
}

/** Whether this flow must take the mutex (single connection and not already holding it). */
export function needsMutex(dataSource: DataSource): boolean {
  return dialectFor(dataSource).singleConnection && held.getStore()?.has(dataSource) !== true;
}
