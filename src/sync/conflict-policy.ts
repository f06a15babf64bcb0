import type { ChangeAction } from '../core/change-action';
import { decodeKey, type EncodedKey } from '../core/entity-key';
import { synchroConfigOf } from '../capture/entity-config';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { remoteChangeTimes } from './log-reader';
import type { SyncConflict } from './sync-options';

/** @internal An object whose counterpart exists remotely, to be checked for a concurrent remote change. */
export interface ConflictCandidate {
  readonly key: EncodedKey;
  readonly remoteKey: EncodedKey;
  readonly localAction: ChangeAction;
  readonly localAtMs: number;
}

/**
 * @internal Newest wins, for every action: the newest local log time of each object is compared with
 * the newest remote log time of its counterpart among the remote changes the local side has not
 * received yet. No such remote change → the local side wins silently. Otherwise the policy decides
 * (`'newest'`: the remote on a tie) and the conflict is reported. Returns the keys the remote keeps.
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
    candidates.map((c) => c.remoteKey),
    ctx.unseenRemoteAfter,
  );
  for (const candidate of candidates) {
    const remote = times.get(candidate.remoteKey);
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
