import type { DataSource } from 'typeorm';
import { isNoLogContext } from './no-log-context';
import { synchroConfigOf, type SynchroConfigSet } from './entity-config';

/** @internal Marks SynchroSubscriber instances without importing the class (avoids an import cycle). */
export const SUBSCRIBER_BRAND = Symbol.for('typeorm-synchro:subscriber');

/** @internal The SynchroSubscriber that logs for `dataSource` (the first one registered), if any. */
export function activeSubscriberOf(dataSource: DataSource): object | undefined {
  return dataSource.subscribers.find(
    (s) => (s as unknown as Record<symbol, unknown>)[SUBSCRIBER_BRAND] === true,
  );
}

/** @internal Value objects whose writes the query-builder capture logs itself (upserts, bulk updates). */
export const handledByBuilder = new WeakSet<object>();

/**
 * @internal The watched-entity configuration when writes on `dataSource` are logged right now:
 * it has a SynchroSubscriber and the flow is not in a no-log context.
 */
export function captureConfigOf(dataSource: DataSource): SynchroConfigSet | undefined {
  if (isNoLogContext() || activeSubscriberOf(dataSource) === undefined) return undefined;
  return synchroConfigOf(dataSource);
}
