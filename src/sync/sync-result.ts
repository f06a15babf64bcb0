/**
 * How a run ended.
 *
 * @example
 * ```ts
 * if ((await synchronize({ local, remote })).status === 'no-changes') console.log('up to date')
 * ```
 */
export type SyncRunStatus = 'synced' | 'no-changes' | 'dry-run';

/**
 * Per-entity counts of what a run applied on the remote.
 *
 * @example
 * ```ts
 * const { inserted, updated } = result.counts.order ?? { inserted: 0, updated: 0 }
 * ```
 */
export interface EntityCounts {
  inserted: number;
  updated: number;
  deleted: number;
  /** Owning-side objects whose join rows were changed. */
  m2m: number;
  skipped: number;
}

/**
 * Both sides changed the same object; `decision` says which side's state was kept.
 *
 * @example
 * ```ts
 * for (const c of result.conflicts) console.log(c.entity, c.key, c.decision, c.reason)
 * ```
 */
export interface SyncConflictReport {
  entity: string;
  /** The local object's primary key (property path → value as a string). */
  key: Record<string, string>;
  decision: 'local' | 'remote';
  reason: string;
  /** Server time (ISO) of the newest local log row of the object. */
  localAt: string;
  /** Server time (ISO) of the newest remote log row of its counterpart not yet seen by the local side. */
  remoteAt: string;
}

/**
 * An object that was not applied. With `onError: 'skip'` it is retried by the next run.
 *
 * @example
 * ```ts
 * for (const s of result.skipped) console.warn(`${s.entity} ${JSON.stringify(s.key)}: ${s.code} ${s.reason}`)
 * ```
 */
export interface SkippedObject {
  entity: string;
  key: Record<string, string>;
  reason: string;
  /**
   * Why it was skipped: a `SynchroErrorCode` (with `onError: 'skip'`; the object is retried by the next
   * run); `MISSING_LOCALLY` (the logged object no longer exists locally and has no later delete; never
   * retried); or, only with `onError: 'skip'` (under `'abort'` they fail the run with
   * `ApplyFailedError`), `UNKNOWN_ENTITY` (the log names an entity the local DataSource does not watch)
   * or `INVALID_KEY` (a stored key that is not a JSON object of the primary columns), never retried.
   */
  code?: string;
}

/**
 * What a run does (dry run) or did (only noteworthy no-ops) to one object.
 *
 * @example
 * ```ts
 * const inserts = result.plan.filter((p) => p.action === 'insert').length
 * ```
 */
export type PlannedActionKind = 'insert' | 'update' | 'delete' | 'm2m' | 'create-dependency' | 'none';

/**
 * One planned action with its reason.
 *
 * @example
 * ```ts
 * const { plan } = await synchronize({ local, remote, dryRun: true })
 * plan.forEach((p) => console.log(p.action, p.entity, p.key, p.reason))
 * ```
 */
export interface PlannedAction {
  entity: string;
  key: Record<string, string>;
  action: PlannedActionKind;
  reason: string;
  /** The remote counterpart's key, when known. */
  remoteKey?: Record<string, string>;
}

/**
 * The outcome of a run: plain JSON-safe data (no bigint, dates as ISO strings).
 *
 * @example
 * ```ts
 * const result = await synchronize({ local, remote })
 * console.log(result.message, result.counts.order?.inserted)
 * ```
 */
export interface SyncResult {
  status: SyncRunStatus;
  message: string;
  counts: Record<string, EntityCounts>;
  conflicts: SyncConflictReport[];
  skipped: SkippedObject[];
  /** Dry run: every planned action. Other runs: the no-ops worth knowing (a delete with no counterpart). */
  plan: PlannedAction[];
  /** The local log position delivered, and its server time. */
  checkpoint: { logId: string; at: string };
  /** Remote server clock minus local server clock, ms. */
  clockSkewMs: number;
  durationMs: number;
  warnings: string[];
}

/**
 * The result messages; the first two are django-synchro's, word for word.
 *
 * @example
 * ```ts
 * result.message === SYNC_MESSAGES.synced
 * ```
 */
export const SYNC_MESSAGES = {
  synced: 'Synchronization performed successfully.',
  noChanges: 'No changes since last synchronization.',
  dryRun: 'Dry run: nothing was written.',
} as const;

/** @internal Accumulates a result while a run goes. */
export class ResultCollector {
  readonly counts: Record<string, EntityCounts> = {};
  readonly conflicts: SyncConflictReport[] = [];
  readonly skipped: SkippedObject[] = [];
  readonly plan: PlannedAction[] = [];

  count(entity: string, field: keyof EntityCounts, by = 1): void {
    if (by === 0) return;
    const counts = (this.counts[entity] ??= { inserted: 0, updated: 0, deleted: 0, m2m: 0, skipped: 0 });
    counts[field] += by;
  }

  skip(object: SkippedObject): void {
    this.skipped.push(object);
    this.count(object.entity, 'skipped');
  }

  /** A checkpoint of the current counts, to roll back to when a batch is retried object by object. */
  snapshot(): string {
    return JSON.stringify([this.counts, this.conflicts.length, this.plan.length]);
  }

  restore(snapshot: string): void {
    const [counts, conflicts, plan] = JSON.parse(snapshot) as [Record<string, EntityCounts>, number, number];
    for (const key of Object.keys(this.counts)) delete this.counts[key];
    Object.assign(this.counts, counts);
    this.conflicts.length = conflicts;
    this.plan.length = plan;
  }
}
