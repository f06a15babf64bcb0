import type { ChangeAction } from '../core/change-action';
import { decodeKey, type EncodedKey } from '../core/entity-key';
import { synchroConfigOf } from '../capture/entity-config';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { remoteChangeTimes } from './log-reader';
import type { SyncConflict } from './sync-options';

/**
 * @internal An object to check for a concurrent remote change: `remoteKeys` are its counterpart (one
 * existing remote row) or, when the remote deleted it, the keys its counterpart had (the stale id-map
 * pairs, or the same key for keys the remote does not generate).
 */
export interface ConflictCandidate {
  readonly key: EncodedKey;
  readonly remoteKeys: readonly EncodedKey[];
  readonly localAction: ChangeAction;
  readonly localAtMs: number;
}

type RemoteChange = { atMs: number; action: ChangeAction };

/**
 * @internal Newest wins, for every action: the newest local log time of each object is compared with
 * the newest remote log time of its counterpart (a deleted counterpart included) among the remote
 * changes the local side has not received yet. No such remote change → the local side wins silently.
 * Otherwise the policy decides (`'newest'`: the remote on a tie) and the conflict is reported.
 * Returns the keys the remote keeps.
 */
export async function decideConflicts(
  ctx: EngineContext,
  mapping: EntityMapping,
  candidates: readonly ConflictCandidate[],
): Promise<Set<EncodedKey>> {
  const kept = new Set<EncodedKey>();
  if (candidates.length === 0) return kept;
  const remoteName = synchroConfigOf(ctx.options.remote).byMetadata(mapping.remote)?.name ?? mapping.name;
  const times = await remoteChangeTimes(
    ctx.remote,
    remoteName,
    candidates.flatMap((c) => c.remoteKeys),
    ctx.unseenRemoteAfter,
  );
  for (const candidate of candidates) {
    const remote = newestOf(candidate.remoteKeys.map((k) => times.get(k)));
    if (remote === undefined) continue;
    const conflict: SyncConflict = {
      entity: mapping.name,
      key: candidate.key,
      localAction: candidate.localAction,
      remoteAction: remote.action,
      localAt: isoOf(candidate.localAtMs),
      remoteAt: isoOf(remote.atMs),
    };
    const decision = decide(ctx, conflict, candidate.localAtMs, remote.atMs);
    if (decision === 'remote') kept.add(candidate.key);
    ctx.result.conflicts.push({
      entity: mapping.name,
      key: decodeKey(candidate.key),
      decision,
      reason: reasonOf(ctx, decision, candidate.localAtMs, remote.atMs),
      localAt: conflict.localAt,
      remoteAt: conflict.remoteAt as string,
    });
  }
  return kept;
}

function newestOf(changes: readonly (RemoteChange | undefined)[]): RemoteChange | undefined {
  let newest: RemoteChange | undefined;
  for (const change of changes)
    if (change !== undefined && (newest === undefined || change.atMs >= newest.atMs)) newest = change;
  return newest;
}

/**
 * @internal The remote won the conflict of `key` (it deleted the object), but a row the local side
 * writes needs the object (foreign key or join row): it is created after all, and its report says so.
 */
export function overruleConflict(ctx: EngineContext, mapping: EntityMapping, key: EncodedKey): void {
  const wanted = JSON.stringify(decodeKey(key));
  const report = ctx.result.conflicts.find(
    (c) => c.entity === mapping.name && c.decision === 'remote' && JSON.stringify(c.key) === wanted,
  );
  if (report === undefined) return;
  report.decision = 'local';
  report.reason = `${report.reason}, but a row the local side writes references it: created again`;
}

function decide(
  ctx: EngineContext,
  conflict: SyncConflict,
  localAtMs: number,
  remoteAtMs: number,
): 'local' | 'remote' {
  const policy = ctx.options.conflictPolicy;
  if (typeof policy === 'function') return policy(conflict) === 'remote' ? 'remote' : 'local';
  if (policy === 'newest') return remoteAtMs >= localAtMs ? 'remote' : 'local';
  return policy;
}

function reasonOf(
  ctx: EngineContext,
  decision: 'local' | 'remote',
  localAtMs: number,
  remoteAtMs: number,
): string {
  const policy = ctx.options.conflictPolicy;
  if (typeof policy === 'function') return `conflictPolicy function chose ${decision}`;
  if (policy !== 'newest') return `conflictPolicy '${policy}'`;
  if (decision === 'local') return 'local change is newer';
  return remoteAtMs === localAtMs ? 'same time: the remote wins ties' : 'remote change is newer';
}

/** @internal A UTC epoch ms as an ISO string (epoch for unknown times). */
export function isoOf(ms: number): string {
  const date = new Date(Number.isFinite(ms) ? ms : 0);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}
