import { randomUUID } from 'node:crypto';
import { withTransactionMutex } from '../capture/transaction-mutex';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  ClockSkewError,
  ConnectionFailedError,
  ConnectionLostError,
  PermissionDeniedError,
  SameDatabaseError,
  SameNodeIdentityError,
  SynchroError,
  SynchroLockedError,
  SynchroTablesMissingError,
} from '../core/errors';
import { dialectFor } from '../dialect/dialect-for';
import type { SynchroDialect } from '../dialect/synchro-dialect';
import { ensureNodeId, readNodeId } from '../store/node-identity';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { measureClockSkew } from './clock-skew';
import { readCursor } from './cursor-store';
import { acquireRunMutex, type MutexRelease } from './run-mutex';
import { checkRemoteSchema } from './schema-check';
import type { ResolvedSyncOptions } from './sync-options';

/** Which database an error or check is about. */
export type SyncSide = 'local' | 'remote';

/**
 * Everything a run needs once the pre-flight checks passed: both sides, their node identities, the
 * slice of the local log to send (`fromLogId` exclusive, `toLogId` inclusive), the clock skew, and a
 * remote runner that holds the run lock. Always `close()` it.
 */
export interface RunSession {
  readonly options: ResolvedSyncOptions;
  readonly dryRun: boolean;
  readonly local: DataSource;
  readonly remote: DataSource;
  readonly localDialect: SynchroDialect;
  readonly remoteDialect: SynchroDialect;
  /** The local node identity (in a dry run on a fresh database: a new one, not stored). */
  readonly localNode: string;
  readonly remoteNode: string;
  /** The remote's `('in', localNode)` cursor, or `'0'`: log ids above it are to be sent. */
  readonly fromLogId: string;
  /** The local log's high-water mark: every id up to it is committed. */
  readonly toLogId: string;
  /** Remote server clock minus local server clock, ms (test hook offset included). */
  readonly clockSkewMs: number;
  /** Warnings for the result (clock skew under `onClockSkew: 'warn'`). */
  readonly warnings: string[];
  /** A dedicated remote runner that holds the run lock; run the remote transaction on it. */
  readonly remoteRunner: QueryRunner;
  /** Releases the run lock, the in-process mutex and the runner. Idempotent. */
  close(): Promise<void>;
}

/**
 * Runs the pre-flight checks in order, before anything is written, and opens a {@link RunSession}:
 * both DataSources initialized; the library tables on both sides; not the same database; node
 * identities differ; clock skew within `maxClockSkewMs`; the run lock on the remote and the in-process
 * mutex; the remote schema; then the log's high-water mark.
 *
 * @example
 * ```ts
 * const session = await openRunSession(resolveSyncOptions({ local, remote }))
 * try { ... } finally { await session.close() }
 * ```
 */
export async function openRunSession(
  resolved: ResolvedSyncOptions,
  overrides: { dryRun?: boolean } = {},
): Promise<RunSession> {
  const dryRun = overrides.dryRun ?? resolved.dryRun;
  const { local, remote } = resolved;
  await connectSide('local', local);
  await connectSide('remote', remote);
  await onSide('local', local, () => checkSynchroTables('local', local));
  await onSide('remote', remote, () => checkSynchroTables('remote', remote));
  const remoteIdentity = await checkDifferentDatabases(local, remote);
  const known = await readNodes(local, remote);
  const { clockSkewMs, warnings } = await checkClockSkew(resolved);
  const held = await takeRunLock(resolved, remoteIdentity);
  try {
    await onSide('remote', remote, () => checkRemoteSchema(local, remote, held.runner));
    // Before the node identities are written: a run refused here leaves both sides as they were.
    const hwm = await readLocalHighWaterMark(local, resolved.lockTimeoutMs);
    const nodes = await assignNodes(resolved, known, dryRun);
    const fromLogId = await onSide('remote', remote, () => fromLogIdOf(held.runner, nodes.local));
    // An emptied log (reset, prune) reads as 0 while its ids go on: the cursor must never move back.
    const toLogId = BigInt(hwm) < BigInt(fromLogId) ? fromLogId : hwm;
    return sessionOf(resolved, dryRun, { ...nodes, fromLogId, toLogId, clockSkewMs, warnings, held });
  } catch (error) {
    await held.release();
    throw error;
  }
}

interface HeldLock {
  runner: QueryRunner;
  release(): Promise<void>;
}

interface SessionParts {
  local: string;
  remote: string;
  fromLogId: string;
  toLogId: string;
  clockSkewMs: number;
  warnings: string[];
  held: HeldLock;
}

function sessionOf(resolved: ResolvedSyncOptions, dryRun: boolean, parts: SessionParts): RunSession {
  return {
    options: resolved,
    dryRun,
    local: resolved.local,
    remote: resolved.remote,
    localDialect: dialectFor(resolved.local),
    remoteDialect: dialectFor(resolved.remote),
    localNode: parts.local,
    remoteNode: parts.remote,
    fromLogId: parts.fromLogId,
    toLogId: parts.toLogId,
    clockSkewMs: parts.clockSkewMs,
    warnings: parts.warnings,
    remoteRunner: parts.held.runner,
    close: () => parts.held.release(),
  };
}

/**
 * Runs `fn` against one side, turning a lost or refused connection into {@link ConnectionLostError}
 * naming that side.
 *
 * @example
 * ```ts
 * const rows = await onSide('remote', remote, () => remote.query('SELECT 1'))
 * ```
 */
export async function onSide<T>(
  side: SyncSide,
  dataSource: DataSource,
  fn: () => Promise<T>,
  connecting = false,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof SynchroError) throw error;
    const kind = dialectFor(dataSource).classifyError(error);
    // After a login, the same codes mean a missing privilege (MariaDB's LOCK TABLES), not settings.
    if (kind === 'login' && connecting) throw new ConnectionFailedError(side, error);
    if (kind === 'login' || kind === 'privilege') throw new PermissionDeniedError(side, error);
    if (kind === 'connection') throw new ConnectionLostError(side, error, connecting);
    throw error;
  }
}

/**
 * Initializes `dataSource` unless it is; a refused or unreachable connection is a typed error naming
 * `side` ({@link ConnectionFailedError}, {@link ConnectionLostError}).
 */
export async function connectSide(side: SyncSide, dataSource: DataSource): Promise<void> {
  if (dataSource.isInitialized) return;
  await onSide(side, dataSource, () => dataSource.initialize().then(() => undefined), true);
}

/**
 * Throws {@link SynchroTablesMissingError} naming the side and the first missing library table.
 *
 * @example
 * ```ts
 * await checkSynchroTables('remote', remote)
 * ```
 */
export async function checkSynchroTables(side: SyncSide, dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    for (const table of Object.values(SYNCHRO_TABLES)) {
      if (!(await runner.hasTable(table))) throw new SynchroTablesMissingError(side, table);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Throws {@link SameDatabaseError} when both DataSources reach one database; returns the remote's identity.
 *
 * @example
 * ```ts
 * const remoteIdentity = await checkDifferentDatabases(local, remote)
 * ```
 */
export async function checkDifferentDatabases(local: DataSource, remote: DataSource): Promise<string> {
  const localIdentity = await onSide('local', local, () => identityOf(local));
  const remoteIdentity = await onSide('remote', remote, () => identityOf(remote));
  if (localIdentity === remoteIdentity) throw new SameDatabaseError(remoteIdentity);
  return remoteIdentity;
}

async function identityOf(dataSource: DataSource): Promise<string> {
  const runner = dataSource.createQueryRunner();
  try {
    return await dialectFor(dataSource).databaseIdentity(runner);
  } finally {
    await runner.release();
  }
}

interface NodePair {
  local: string | undefined;
  remote: string | undefined;
}

// Read only: a missing identity is assigned after every check passed, so a refused run writes nothing.
async function readNodes(local: DataSource, remote: DataSource): Promise<NodePair> {
  const nodes = {
    local: await onSide('local', local, () => readNodeId(local)),
    remote: await onSide('remote', remote, () => readNodeId(remote)),
  };
  if (nodes.local !== undefined && nodes.local === nodes.remote) throw new SameNodeIdentityError(nodes.local);
  return nodes;
}

async function assignNodes(resolved: ResolvedSyncOptions, nodes: NodePair, dryRun: boolean) {
  const assign = (side: SyncSide, ds: DataSource, id: string | undefined) =>
    id !== undefined ? id : dryRun ? randomUUID() : onSide(side, ds, () => ensureNodeId(ds));
  return {
    local: await assign('local', resolved.local, nodes.local),
    remote: await assign('remote', resolved.remote, nodes.remote),
  };
}

async function checkClockSkew(
  resolved: ResolvedSyncOptions,
): Promise<{ clockSkewMs: number; warnings: string[] }> {
  const measured = await onSide('remote', resolved.remote, () =>
    measureClockSkew(resolved.local, resolved.remote),
  );
  const clockSkewMs = measured + resolved.clockSkewOffsetMs;
  if (Math.abs(clockSkewMs) <= resolved.maxClockSkewMs) return { clockSkewMs, warnings: [] };
  if (resolved.onClockSkew === 'refuse') throw new ClockSkewError(clockSkewMs, resolved.maxClockSkewMs);
  return {
    clockSkewMs,
    warnings: [
      `The remote clock differs from the local one by ${clockSkewMs} ms (limit ${resolved.maxClockSkewMs} ms): ` +
        'newest-wins decisions may pick the wrong side; synchronize the servers’ clocks (NTP)',
    ],
  };
}

/**
 * Takes the in-process mutex (per remote, and per local when it has a single connection) and the
 * remote's run lock on a dedicated runner, waiting at most `lockTimeoutMs`; {@link SynchroLockedError}
 * otherwise.
 *
 * @example
 * ```ts
 * const held = await takeRunLock(resolved, 'postgres://…/shop')
 * try { ... } finally { await held.release() }
 * ```
 */
export async function takeRunLock(
  resolved: Pick<ResolvedSyncOptions, 'local' | 'remote' | 'lockTimeoutMs'>,
  target: string,
): Promise<HeldLock> {
  const { local, remote, lockTimeoutMs } = resolved;
  const started = Date.now();
  const targets = dialectFor(local).singleConnection ? [remote, local] : [remote];
  const releaseMutex = await acquireRunMutex(targets, lockTimeoutMs);
  if (releaseMutex === undefined) throw new SynchroLockedError(target, Date.now() - started);
  try {
    return await lockRemote(
      remote,
      target,
      Math.max(0, lockTimeoutMs - (Date.now() - started)),
      releaseMutex,
    );
  } catch (error) {
    releaseMutex();
    throw error;
  }
}

async function lockRemote(
  remote: DataSource,
  target: string,
  timeoutMs: number,
  releaseMutex: MutexRelease,
): Promise<HeldLock> {
  const dialect = dialectFor(remote);
  const runner = remote.createQueryRunner();
  const started = Date.now();
  try {
    if (!(await onSide('remote', remote, () => dialect.acquireRunLock(runner, timeoutMs)))) {
      throw new SynchroLockedError(target, Date.now() - started);
    }
  } catch (error) {
    await runner.release();
    throw error;
  }
  return { runner, release: onceAsync(() => releaseRemote(runner, dialect, releaseMutex)) };
}

async function releaseRemote(runner: QueryRunner, dialect: SynchroDialect, releaseMutex: MutexRelease) {
  try {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    if (!runner.isReleased) await dialect.releaseRunLock(runner);
  } catch {
    // A lost connection drops advisory locks with it; an SQLite lease expires on its own.
  } finally {
    await runner.release().catch(() => undefined);
    releaseMutex();
  }
}

function onceAsync(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

async function fromLogIdOf(remoteRunner: QueryRunner, localNode: string): Promise<string> {
  return (await readCursor(remoteRunner, localNode, 'in'))?.logId ?? '0';
}

/**
 * The local log's high-water mark (see `SynchroDialect.readHighWaterMark`), waiting at most `timeoutMs`
 * for application transactions that hold uncommitted log rows; {@link SynchroLockedError} after that.
 *
 * @example
 * ```ts
 * const toLogId = await readLocalHighWaterMark(local, 10_000)
 * ```
 */
export async function readLocalHighWaterMark(local: DataSource, timeoutMs: number): Promise<string> {
  const dialect = dialectFor(local);
  const started = Date.now();
  return onSide('local', local, async () => {
    try {
      // On a single connection an open application transaction would show its uncommitted log rows: wait for it.
      return await withTransactionMutex(local, () =>
        dialect.readHighWaterMark(local, local.driver.escape(SYNCHRO_TABLES.log), timeoutMs),
      );
    } catch (error) {
      if (dialect.classifyError(error) !== 'lock-timeout') throw error;
      throw new SynchroLockedError(
        'the local change log (an open transaction holds it)',
        Date.now() - started,
        error,
      );
    }
  });
}
