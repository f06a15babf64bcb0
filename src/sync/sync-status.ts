import type { DataSource } from 'typeorm';
import { readNodeId } from '../store/node-identity';
import { initializeOne } from './admin-pair';
import type { Checkpoint } from './checkpoint';
import { measureClockSkew } from './clock-skew';
import { listCursors, readCursor } from './cursor-store';

/** What this node delivered to one peer (from its local mirror cursor). */
export interface PeerStatus {
  /** The peer's node identity. */
  peer: string;
  /** The last local log id delivered to it (inclusive). */
  deliveredLogId: string;
  /** When that was recorded (local server clock, ISO 8601), or `null` when unknown. */
  at: string | null;
}

/** The synchronization state of a database, as `typeorm-synchro status` and the admin page show it. */
export interface SyncStatus {
  /** This database's node identity; `null` before its first log write or sync. */
  nodeId: string | null;
  /** Known peers this node delivered to. */
  peers: PeerStatus[];
  /** With a remote: its server clock minus the local one, ms. */
  clockSkewMs?: number;
  /** With a remote: its node identity (`null` when it has none yet). */
  remoteNodeId?: string | null;
  /** With a remote: the authoritative checkpoint of local → remote, read on the remote. */
  checkpoint?: Checkpoint | null;
}

/**
 * The peers this node delivered to, from its local mirror cursors. Writes nothing.
 *
 * @example
 * ```ts
 * for (const p of await listPeers(office)) console.log(p.peer, p.deliveredLogId, p.at)
 * ```
 */
export async function listPeers(local: DataSource): Promise<PeerStatus[]> {
  await initializeOne('local', local);
  return (await listCursors(local))
    .filter((c) => c.direction === 'out')
    .map((c) => ({
      peer: c.peer,
      deliveredLogId: c.logId,
      at: Number.isFinite(c.atMs) ? new Date(c.atMs).toISOString() : null,
    }));
}

/**
 * The node identity, the per-peer delivery mirrors and, given a remote, the clock skew and the
 * authoritative checkpoint. Writes nothing.
 *
 * @example
 * ```ts
 * const { nodeId, peers, clockSkewMs } = await getSyncStatus(office, production)
 * ```
 */
export async function getSyncStatus(local: DataSource, remote?: DataSource | null): Promise<SyncStatus> {
  const peers = await listPeers(local);
  const nodeId = (await readNodeId(local)) ?? null;
  if (remote === undefined || remote === null) return { nodeId, peers };
  await initializeOne('remote', remote);
  const cursor = nodeId === null ? undefined : await readCursor(remote, nodeId, 'in');
  return {
    nodeId,
    peers,
    clockSkewMs: await measureClockSkew(local, remote),
    remoteNodeId: (await readNodeId(remote)) ?? null,
    checkpoint:
      cursor === undefined ? null : { logId: cursor.logId, at: new Date(cursor.atMs).toISOString() },
  };
}
