import type { DataSource } from 'typeorm';
import type { ChangeAction } from '../core/change-action';
import { InvalidOptionError, NoRemoteError } from '../core/errors';

/** A conflict handed to a custom `conflictPolicy`: both sides changed the same object. */
export interface SyncConflict {
  /** The entity's logged name. */
  readonly entity: string;
  /** The local object's encoded primary key (JSON object of strings). */
  readonly key: string;
  /** The newest local action on the object. */
  readonly localAction: ChangeAction;
  /** The newest remote action on its counterpart, when the remote logged one. */
  readonly remoteAction: ChangeAction | undefined;
  /** Server time (ISO) of the newest local log row. */
  readonly localAt: string;
  /** Server time (ISO) of the newest remote log row of the counterpart, when there is one. */
  readonly remoteAt: string | undefined;
}

/** Which side wins a conflict: a fixed rule, or a function deciding per object. */
export type ConflictPolicy = 'newest' | 'local' | 'remote' | ((conflict: SyncConflict) => 'local' | 'remote');

/** When a run commits on the remote: once at the end, or after every batch. */
export type CommitMode = 'run' | 'batch';

/** What an object that cannot be applied does to the run. */
export type OnErrorMode = 'abort' | 'skip';

/** What a clock skew above `maxClockSkewMs` does to the run. */
export type OnClockSkewMode = 'warn' | 'refuse';

/** A progress report: `done` of `total` units of `phase` (for `entity`, when the phase has one). */
export interface SyncProgress {
  phase: string;
  entity?: string;
  done: number;
  total: number;
}

/**
 * Hooks for the library's own tests. Nothing else in the library is mocked; do not use them in production.
 */
export interface SyncTestHooks {
  /** Added to the measured clock skew (remote minus local, ms), to exercise `maxClockSkewMs`. */
  clockSkewOffsetMs?: number;
}

/**
 * Options of `synchronize(options)` / `new Synchronizer(options)`.
 *
 * @example
 * ```ts
 * await synchronize({ local: office, remote: production, commit: 'batch', onError: 'skip' })
 * ```
 */
export interface SyncOptions {
  /** The source: its log is sent. */
  local: DataSource;
  /** The target; `null`/`undefined` fails with `NoRemoteError`. */
  remote: DataSource | null | undefined;
  /** Default `'newest'`: the newer log time wins, the remote on a tie. */
  conflictPolicy?: ConflictPolicy;
  /** Plan only: nothing is written anywhere. Default `false`. */
  dryRun?: boolean;
  /** Send every row of every watched entity, not just what was logged. Default `false`. */
  full?: boolean;
  /** Log rows per batch (positive integer ≤ 100000). Default 2000. */
  batchSize?: number;
  /** Default `'run'`: one remote transaction for the whole run. */
  commit?: CommitMode;
  /** Default `'abort'`. */
  onError?: OnErrorMode;
  /** Fire the remote DataSource's subscribers and entity listeners. Default `true`. */
  listeners?: boolean;
  /** How long to wait for the run lock (and the log's high-water mark), in ms. Default 10000. */
  lockTimeoutMs?: number;
  /** Largest tolerated difference between the servers' clocks, in ms. Default 5000. */
  maxClockSkewMs?: number;
  /** Default `'warn'`: a warning in the result; `'refuse'` fails with `ClockSkewError`. */
  onClockSkew?: OnClockSkewMode;
  /** Called as the run advances. */
  onProgress?: (progress: SyncProgress) => void;
  /** Test hooks; see {@link SyncTestHooks}. */
  testHooks?: SyncTestHooks;
}

/** {@link SyncOptions} with every default filled in and every value checked. */
export interface ResolvedSyncOptions {
  readonly local: DataSource;
  readonly remote: DataSource;
  readonly conflictPolicy: ConflictPolicy;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly batchSize: number;
  readonly commit: CommitMode;
  readonly onError: OnErrorMode;
  readonly listeners: boolean;
  readonly lockTimeoutMs: number;
  readonly maxClockSkewMs: number;
  readonly onClockSkew: OnClockSkewMode;
  readonly onProgress: (progress: SyncProgress) => void;
  readonly clockSkewOffsetMs: number;
}

/** The defaults of {@link SyncOptions}. */
export const SYNC_DEFAULTS = {
  conflictPolicy: 'newest',
  batchSize: 2000,
  commit: 'run',
  onError: 'abort',
  listeners: true,
  lockTimeoutMs: 10_000,
  maxClockSkewMs: 5_000,
  onClockSkew: 'warn',
} as const;

/** The largest accepted `batchSize`. */
export const MAX_BATCH_SIZE = 100_000;

/**
 * Fills in the defaults and validates every option; `InvalidOptionError` names the bad one,
 * `NoRemoteError` when there is no remote.
 *
 * @example
 * ```ts
 * const resolved = resolveSyncOptions({ local, remote, batchSize: 1000 })
 * resolved.commit // 'run'
 * ```
 */
export function resolveSyncOptions(options: SyncOptions): ResolvedSyncOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'must be an object', 'pass { local, remote, ... }');
  }
  const remote = options.remote;
  if (remote === null || remote === undefined) throw new NoRemoteError();
  checkDataSource('local', options.local);
  checkDataSource('remote', remote);
  return {
    local: options.local,
    remote,
    conflictPolicy: conflictPolicyOf(options.conflictPolicy),
    dryRun: booleanOf('dryRun', options.dryRun, false),
    full: booleanOf('full', options.full, false),
    batchSize: checkBatchSize(options.batchSize),
    commit: literalOf('commit', options.commit, ['run', 'batch'], SYNC_DEFAULTS.commit),
    onError: literalOf('onError', options.onError, ['abort', 'skip'], SYNC_DEFAULTS.onError),
    listeners: booleanOf('listeners', options.listeners, SYNC_DEFAULTS.listeners),
    lockTimeoutMs: nonNegativeOf('lockTimeoutMs', options.lockTimeoutMs, SYNC_DEFAULTS.lockTimeoutMs),
    maxClockSkewMs: nonNegativeOf('maxClockSkewMs', options.maxClockSkewMs, SYNC_DEFAULTS.maxClockSkewMs),
    onClockSkew: literalOf('onClockSkew', options.onClockSkew, ['warn', 'refuse'], SYNC_DEFAULTS.onClockSkew),
    onProgress: progressOf(options.onProgress),
    clockSkewOffsetMs: finiteOf('testHooks.clockSkewOffsetMs', options.testHooks?.clockSkewOffsetMs, 0),
  };
}

function checkDataSource(side: 'local' | 'remote', value: unknown): void {
  const ds = value as Partial<DataSource> | null | undefined;
  if (
    ds === null ||
    typeof ds !== 'object' ||
    typeof ds.initialize !== 'function' ||
    ds.options === undefined
  ) {
    throw new InvalidOptionError(side, 'is not a TypeORM DataSource', `pass the ${side} DataSource instance`);
  }
}

function conflictPolicyOf(value: unknown): ConflictPolicy {
  if (value === undefined) return SYNC_DEFAULTS.conflictPolicy;
  if (typeof value === 'function') return value as ConflictPolicy;
  return literalOf<'newest' | 'local' | 'remote'>(
    'conflictPolicy',
    value,
    ['newest', 'local', 'remote'],
    SYNC_DEFAULTS.conflictPolicy,
  );
}

function literalOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(option, `${shown(value)} is not allowed`, `use one of ${allowed.join(', ')}`);
}

function booleanOf(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(option, `${shown(value)} is not a boolean`, 'use true or false');
}

/**
 * Checks a `batchSize` exactly as `synchronize()` does, for callers that must refuse a bad value before
 * opening any database (a CLI, a config loader): a positive integer up to 100000 is returned as is,
 * `undefined` gives the default (2000), anything else throws `InvalidOptionError`.
 *
 * @example
 * ```ts
 * checkBatchSize(1000) // 1000
 * checkBatchSize(undefined) // 2000
 * checkBatchSize(100001) // throws InvalidOptionError: batchSize: 100001 is not a positive integer up to 100000
 * ```
 */
export function checkBatchSize(value: unknown): number {
  if (value === undefined) return SYNC_DEFAULTS.batchSize;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_BATCH_SIZE)
    return value;
  throw new InvalidOptionError(
    'batchSize',
    `${shown(value)} is not a positive integer up to ${MAX_BATCH_SIZE}`,
    'use e.g. 500',
  );
}

function nonNegativeOf(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new InvalidOptionError(option, `${shown(value)} is not a number ≥ 0`, 'use milliseconds, e.g. 10000');
}

function finiteOf(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new InvalidOptionError(option, `${shown(value)} is not a finite number`, 'use milliseconds');
}

function progressOf(value: unknown): (progress: SyncProgress) => void {
  if (value === undefined) return () => undefined;
  if (typeof value === 'function') return value as (progress: SyncProgress) => void;
  throw new InvalidOptionError('onProgress', 'is not a function', 'pass (p) => { ... } or leave it out');
}

/** A rejected value as the user wrote it: `NaN` stays `NaN` (JSON would print `null`). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
