import type { EncodedKey } from '../core/entity-key';
import type { EntityMapping } from './entity-mapping';
import type { WorkItem } from './work-set';

/** Remembered rows at most; past it the memory starts over (a run's memory must not grow with its size). */
const RESOLVED_LIMIT = 50_000;

/**
 * @internal Remote keys of foreign-key and many-to-many targets that earlier batches of this run found
 * on the remote or wrote there, so later batches do not load and resolve the same parents and tags
 * again (three to four queries per target entity and batch). A batch remembers only rows that
 * existed on the remote before it (a rollback of its savepoint cannot undo them; rows it created are
 * remembered by the next batch that finds them); a batch that deleted anything makes it forget
 * everything.
 */
export class ResolvedTargets {
  private readonly byMapping = new Map<EntityMapping, Map<EncodedKey, EncodedKey>>();
  private size = 0;

  constructor(private readonly limit = RESOLVED_LIMIT) {}

  /** The remote key of a target an earlier batch of this run resolved, if any. */
  get(mapping: EntityMapping, key: EncodedKey): EncodedKey | undefined {
    return this.byMapping.get(mapping)?.get(key);
  }

  /** Remembers the targets of a batch that existed on the remote before it. */
  remember(items: readonly WorkItem[], deleted: boolean): void {
    if (deleted) return this.forget();
    const targets = targetMappings(items);
    for (const item of items) {
      if (!targets.has(item.mapping) || !settled(item)) continue;
      const known = this.byMapping.get(item.mapping) ?? new Map<EncodedKey, EncodedKey>();
      if (!known.has(item.key)) this.size += 1;
      known.set(item.key, item.remoteKey as EncodedKey);
      this.byMapping.set(item.mapping, known);
    }
    if (this.size > this.limit) this.forget();
  }

  /** Forgets every remembered target. */
  forget(): void {
    this.byMapping.clear();
    this.size = 0;
  }
}

/** The entities some foreign key or join table of the batch points at. */
function targetMappings(items: readonly WorkItem[]): Set<EntityMapping> {
  const mappings = new Set(items.map((i) => i.mapping));
  const out = new Set<EntityMapping>();
  for (const mapping of mappings) {
    for (const fk of mapping.foreignKeys) out.add(fk.target);
    for (const junction of mapping.junctions) out.add(junction.inverse);
  }
  return out;
}

/** The row existed on the remote, under a final key, before the batch touched anything. */
function settled(item: WorkItem): boolean {
  return item.remoteKey !== undefined && item.exists && !item.pendingKey;
}
