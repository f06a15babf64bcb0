import type { DataSource } from 'typeorm';
import { collapsedPendingChanges } from './pending-changes';

/**
 * The number of objects with undelivered changes, per entity name (see {@link getPendingChanges} for
 * what "delivered" means with and without `remote`). Entities with nothing pending are left out.
 *
 * @example
 * ```ts
 * await countPendingChanges(local, { remote }) // { order: 12, customer: 1 }
 * ```
 */
export async function countPendingChanges(
  dataSource: DataSource,
  options: { remote?: DataSource } = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const change of await collapsedPendingChanges(dataSource, options.remote)) {
    counts[change.entity] = (counts[change.entity] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
