import type { DataSource, QueryRunner } from 'typeorm';
import { SameNodeIdentityError } from '../core/errors';
import { ensureNodeId } from '../store/node-identity';
import { checkDifferentDatabases, checkSynchroTables, connectSide, onSide, takeRunLock } from './run-session';
import { SYNC_DEFAULTS } from './sync-options';

/** A local/remote pair checked and locked for an admin operation. */
export interface AdminPair {
  localNode: string;
  remoteNode: string;
  /** A remote runner holding the run lock. */
  remoteRunner: QueryRunner;
}

/**
 * Runs `fn` with both sides initialized, their library tables present, distinct databases and the
 * remote's run lock held (so no sync into it runs meanwhile). `sameNodeAllowed` is for `adoptCopy`.
 * @internal
 */
export async function withAdminPair<T>(
  local: DataSource,
  remote: DataSource,
  options: { sameNodeAllowed?: boolean; lockTimeoutMs?: number },
  fn: (pair: AdminPair) => Promise<T>,
): Promise<T> {
  await initializeBoth(local, remote);
  const target = await checkDifferentDatabases(local, remote);
  const localNode = await onSide('local', local, () => ensureNodeId(local));
  const remoteNode = await onSide('remote', remote, () => ensureNodeId(remote));
  if (localNode === remoteNode && options.sameNodeAllowed !== true)
    throw new SameNodeIdentityError(localNode);
  const lockTimeoutMs = options.lockTimeoutMs ?? SYNC_DEFAULTS.lockTimeoutMs;
  const held = await takeRunLock({ local, remote, lockTimeoutMs }, target);
  try {
    return await fn({ localNode, remoteNode, remoteRunner: held.runner });
  } finally {
    await held.release();
  }
}

/** @internal Initializes both DataSources if needed and checks their library tables. */
export async function initializeBoth(local: DataSource, remote: DataSource): Promise<void> {
  await initializeOne('local', local);
  await initializeOne('remote', remote);
}

/** @internal Initializes one DataSource if needed and checks its library tables. */
export async function initializeOne(side: 'local' | 'remote', dataSource: DataSource): Promise<void> {
  await connectSide(side, dataSource);
  await onSide(side, dataSource, () => checkSynchroTables(side, dataSource));
}
