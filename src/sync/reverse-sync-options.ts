import { NoRemoteError } from '../core/errors';
import type { ConflictPolicy, SyncOptions } from './sync-options';

const MIRRORED = { newest: 'newest', local: 'remote', remote: 'local' } as const;

/**
 * The options of the way back of a two-way sync: `local` and `remote` swapped, and a fixed conflict
 * policy mirrored so that the same database wins in both directions (`'local'` ↔ `'remote'`;
 * `'newest'` stays). A function policy is passed on as it is: it is called with each conflict as the
 * way back sees it (`local` is then the other database), so write it in terms of the side that sends.
 *
 * @example
 * ```ts
 * const there = { local: office, remote: production, conflictPolicy: 'local' } as const
 * await synchronize(there)                      // office → production, the office wins
 * await synchronize(reverseSyncOptions(there))  // production → office, the office still wins
 * ```
 */
export function reverseSyncOptions(options: SyncOptions): SyncOptions {
  const { local, remote } = options;
  if (remote === null || remote === undefined) throw new NoRemoteError();
  return { ...options, local: remote, remote: local, conflictPolicy: mirrored(options.conflictPolicy) };
}

function mirrored(policy: ConflictPolicy | undefined): ConflictPolicy | undefined {
  return typeof policy === 'string' ? MIRRORED[policy] : policy;
}
