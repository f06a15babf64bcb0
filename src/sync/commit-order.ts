import type { EntityMapping } from './entity-mapping';

/**
 * @internal Orders entities so that foreign-key targets come before the rows that point at them
 * (Kahn's algorithm). Self-references are ignored here; a cycle (A → B → A) is broken by taking the
 * remaining entity with the fewest unmet dependencies first, and its forward references are then
 * written as NULL and filled in by a second pass.
 *
 * @example
 * ```ts
 * commitOrder([orderLine, order, customer]) // [customer, order, orderLine]
 * ```
 */
export function commitOrder(mappings: readonly EntityMapping[]): EntityMapping[] {
  const pending = new Set(mappings);
  const ordered: EntityMapping[] = [];
  while (pending.size > 0) {
    const next = pickNext(pending);
    pending.delete(next);
    ordered.push(next);
  }
  return ordered;
}

function unmetDependencies(mapping: EntityMapping, pending: ReadonlySet<EntityMapping>): number {
  const targets = new Set(dependenciesOf(mapping));
  targets.delete(mapping);
  return [...targets].filter((t) => pending.has(t)).length;
}

function pickNext(pending: ReadonlySet<EntityMapping>): EntityMapping {
  let best: EntityMapping | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const mapping of pending) {
    const count = unmetDependencies(mapping, pending);
    if (count === 0) return mapping;
    if (count < bestCount) [best, bestCount] = [mapping, count];
  }
  return best as EntityMapping;
}

/** @internal The entities a row of `mapping` may reference: FK targets and m2m inverse sides. */
export function dependenciesOf(mapping: EntityMapping): EntityMapping[] {
  return [...mapping.foreignKeys.map((fk) => fk.target), ...mapping.junctions.map((j) => j.inverse)];
}
