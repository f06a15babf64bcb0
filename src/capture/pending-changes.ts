import type { DataSource } from 'typeorm';
import type { ChangeAction } from '../core/change-action';
import { decodeKey } from '../core/entity-key';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { readNodeId } from '../store/node-identity';
import { listCursors, readCursor } from '../sync/cursor-store';

/** One object with logged changes not yet delivered, its changes collapsed into one action. */
export interface PendingChange {
  /** The entity's stable log name (`@Synchro({ name })`, default its table name). */
  readonly entity: string;
  /** The primary key: property path → value as a string. */
  readonly key: Record<string, unknown>;
  /** What the remote must do: the last change wins, a delete wins over earlier changes, insert + update stays insert. */
  readonly action: ChangeAction;
  /** Server time of the object's last logged change. */
  readonly at: Date;
}

/** Options of {@link getPendingChanges}. */
export interface PendingChangesOptions {
  /** Only what this remote has not applied yet (read from its cursor); default: not yet delivered to every known peer. */
  remote?: DataSource;
  /** At most this many objects (the oldest first). */
  limit?: number;
}

/** @internal A collapsed object plus the id of its last log row, for ordering. */
export interface CollapsedChange extends PendingChange {
  readonly lastId: bigint;
}

const PAGE = 5000;

/**
 * The logged changes not yet delivered, one per object, ordered by their last log id. With `remote`,
 * "delivered" is what that remote recorded as applied; without, it is the lowest of the local
 * delivery mirrors of all known peers (everything when no peer is known yet).
 *
 * @example
 * ```ts
 * for (const c of await getPendingChanges(local, { remote, limit: 20 }))
 *   console.log(c.action, c.entity, c.key, c.at.toISOString())
 * ```
 */
export async function getPendingChanges(
  dataSource: DataSource,
  options: PendingChangesOptions = {},
): Promise<PendingChange[]> {
  const collapsed = await collapsedPendingChanges(dataSource, options.remote);
  const list = options.limit === undefined ? collapsed : collapsed.slice(0, Math.max(0, options.limit));
  return list.map(({ entity, key, action, at }) => ({ entity, key, action, at }));
}

/** @internal Every pending object, collapsed. */
export async function collapsedPendingChanges(
  dataSource: DataSource,
  remote?: DataSource,
): Promise<CollapsedChange[]> {
  const after = await deliveredUpTo(dataSource, remote);
  const objects = new Map<string, CollapsedChange>();
  let cursor = after;
  for (;;) {
    const page = await readLogPage(dataSource, cursor);
    for (const row of page) collapseInto(objects, row);
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE) break;
    cursor = last.id;
  }
  return [...objects.values()].sort((a, b) => (a.lastId < b.lastId ? -1 : a.lastId > b.lastId ? 1 : 0));
}

async function deliveredUpTo(local: DataSource, remote: DataSource | undefined): Promise<bigint> {
  if (remote !== undefined) {
    const nodeId = await readNodeId(local);
    if (nodeId === undefined) return 0n;
    const cursor = await readCursor(remote, nodeId, 'in');
    return BigInt(cursor?.logId ?? '0');
  }
  const out = (await listCursors(local)).filter((c) => c.direction === 'out').map((c) => BigInt(c.logId));
  return out.length === 0 ? 0n : out.reduce((min, id) => (id < min ? id : min));
}

interface LogRow {
  id: bigint;
  entity: string;
  objectKey: string;
  action: ChangeAction;
  atMs: number;
}

async function readLogPage(ds: DataSource, after: bigint): Promise<LogRow[]> {
  const e = (name: string) => ds.driver.escape(name);
  const p = dialectFor(ds).placeholder;
  const rows = (await ds.query(
    `SELECT ${e('id')} AS ${e('id')}, ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('k')}, ` +
      `${e('action')} AS ${e('action')}, ${e('at_ms')} AS ${e('at')} FROM ${e(SYNCHRO_TABLES.log)} ` +
      `WHERE ${e('id')} > ${p(1)} ORDER BY ${e('id')} LIMIT ${PAGE}`,
    [after.toString()],
  )) as { id: unknown; entity: string; k: string; action: ChangeAction; at: unknown }[];
  return rows.map((r) => ({
    id: BigInt(String(r.id)),
    entity: r.entity,
    objectKey: r.k,
    action: r.action,
    atMs: Number(r.at),
  }));
}

function collapseInto(objects: Map<string, CollapsedChange>, row: LogRow): void {
  const id = `${row.entity}\u0000${row.objectKey}`;
  const previous = objects.get(id);
  objects.delete(id);
  objects.set(id, {
    entity: row.entity,
    key: previous?.key ?? decodeKey(row.objectKey),
    action: collapseAction(previous?.action, row.action),
    at: new Date(row.atMs),
    lastId: row.id,
  });
}

/** @internal The collapsed action of an object whose earlier changes collapsed to `previous`. */
export function collapseAction(previous: ChangeAction | undefined, next: ChangeAction): ChangeAction {
  if (next === 'update') return previous === 'insert' ? 'insert' : 'update';
  if (next === 'm2m') return previous ?? 'm2m';
  return next;
}
