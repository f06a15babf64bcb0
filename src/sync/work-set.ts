import type { ChangeAction } from '../core/change-action';
import type { EncodedKey } from '../core/entity-key';
import type { EntityMapping } from './entity-mapping';
import type { ResolvedTargets } from './resolved-targets';
import type { RawRow } from './row-reader';

/** @internal A logged object to apply: its last log row in the range, collapsed. */
export interface BatchObject {
  readonly mapping: EntityMapping;
  readonly key: EncodedKey;
  readonly action: ChangeAction;
  /** Newest local log time of the object (UTC epoch ms; 0 when it has no log, e.g. `full`). */
  readonly atMs: number;
  /** Typed JSON natural key stored with a delete, `'null'` otherwise. */
  readonly naturalKey: string;
  readonly insertedInRange: boolean;
  /** It comes from the retry table. */
  readonly retried: boolean;
}

/** @internal How the remote counterpart was found. */
export type CounterpartVia = 'id-map' | 'natural-key' | 'same-key' | 'new';

/**
 * @internal One row the batch touches: a synced object (`sync`: full copy) or a foreign-key / m2m
 * target the remote may lack (`ensure`: created when missing, never refreshed).
 */
export interface WorkItem {
  readonly mapping: EntityMapping;
  readonly key: EncodedKey;
  mode: 'sync' | 'ensure';
  object: BatchObject | undefined;
  row: RawRow | undefined;
  remoteKey: EncodedKey | undefined;
  exists: boolean;
  via: CounterpartVia;
  /** The remote already holds this exact id-map pair. */
  mapped: boolean;
  /** Its key includes references to rows created in this batch: computed when they are written. */
  pendingKey: boolean;
  /** The id map named counterparts that no longer exist: their pairs are replaced. */
  stale: boolean;
  /**
   * Remote keys the object's counterpart had and that no longer exist (stale id-map pairs, or the
   * same key): the remote's log of them tells whether the remote deleted the object.
   */
  gone: EncodedKey[];
  decision: 'local' | 'remote';
  written: boolean;
  /** Written with a forward reference set to NULL; written again once every target exists. */
  deferred: boolean;
  /** A target an earlier batch of the run resolved: neither loaded nor written again. */
  cached: boolean;
}

/** @internal The rows of one batch, per entity. */
export class WorkSet {
  private readonly items = new Map<EntityMapping, Map<EncodedKey, WorkItem>>();
  /** Local join rows per junction: owner local key → inverse local keys. */
  readonly joinRows = new Map<object, Map<EncodedKey, EncodedKey[]>>();

  /** `resolved`: targets earlier batches of the run resolved (new `ensure` items take them over). */
  constructor(private readonly resolved: ResolvedTargets) {}

  get(mapping: EntityMapping, key: EncodedKey): WorkItem | undefined {
    return this.items.get(mapping)?.get(key);
  }

  add(mapping: EntityMapping, key: EncodedKey, mode: 'sync' | 'ensure', object?: BatchObject): WorkItem {
    let byKey = this.items.get(mapping);
    if (byKey === undefined) this.items.set(mapping, (byKey = new Map<EncodedKey, WorkItem>()));
    const existing = byKey.get(key);
    if (existing !== undefined) {
      if (mode === 'sync') Object.assign(existing, { mode: 'sync', object, cached: false });
      return existing;
    }
    const known = mode === 'ensure' ? this.resolved.get(mapping, key) : undefined;
    const cached = known !== undefined;
    // One object shape for every item (a spread of the cached fields would give two).
    const item: WorkItem = {
      mapping,
      key,
      mode,
      object,
      row: undefined,
      remoteKey: known,
      exists: cached,
      via: cached ? 'id-map' : 'new',
      mapped: cached,
      stale: false,
      gone: [],
      pendingKey: false,
      decision: 'local',
      written: false,
      deferred: false,
      cached,
    };
    byKey.set(key, item);
    return item;
  }

  remove(item: WorkItem): void {
    this.items.get(item.mapping)?.delete(item.key);
  }

  entities(): EntityMapping[] {
    return [...this.items.keys()];
  }

  of(mapping: EntityMapping): WorkItem[] {
    return [...(this.items.get(mapping)?.values() ?? [])];
  }

  all(): WorkItem[] {
    const out: WorkItem[] = [];
    for (const byKey of this.items.values()) for (const item of byKey.values()) out.push(item);
    return out;
  }
}
