import type { QueryRunner } from 'typeorm';
import { decodeKey, type EncodedKey } from '../core/entity-key';
import { commitOrder } from './commit-order';
import { decideConflicts } from './conflict-policy';
import { resolveCounterparts } from './counterpart';
import { deleteRemoteRows, planDeletes, type PlannedDelete } from './delete-applier';
import type { EngineContext } from './engine-context';
import type { EntityMapping } from './entity-mapping';
import { writeRemoteIdMap, type KeyPair } from './id-map-store';
import { broadcastAfter, hasListeners, loadRemoteEntities } from './listener-broadcast';
import type { LocalPreread } from './local-preread';
import { loadJoinRows, reconcileJoinRows } from './m2m-reconcile';
import { deleteRetries } from './retry-store';
import { foreignKeyOf, readLocalRows } from './row-reader';
import { createReferencedDeletions } from './referenced-deletions';
import { rowsToWrite, writeEntityRows } from './row-writer';
import type { PlannedActionKind } from './sync-result';
import { groupBy } from './sync-sql';
import { refreshTreeData } from './tree-data';
import { WorkSet, type BatchObject, type WorkItem } from './work-set';

/** @internal What one batch resolved, for the caller's plan and dry run. */
export interface BatchOutcome {
  readonly work: WorkSet;
  readonly deletes: PlannedDelete[];
}

/**
 * @internal Applies one batch of collapsed objects to the remote (through `ctx.remote`, inside the
 * caller's transaction or savepoint): loads the local rows and their FK / m2m targets, finds the
 * counterparts in dependency order, decides conflicts, then deletes, writes (inserts with forward
 * references NULL, then a second pass), reconciles join rows, and writes the id map. In a dry run
 * it stops after planning.
 */
export async function applyBatch(
  ctx: EngineContext,
  objects: readonly BatchObject[],
  runner: QueryRunner,
  preread?: LocalPreread,
): Promise<BatchOutcome> {
  const work = new WorkSet(ctx.resolved);
  const deleteObjects = objects.filter((o) => o.action === 'delete');
  for (const o of objects) if (o.action !== 'delete') work.add(o.mapping, o.key, 'sync', o);
  await loadClosure(ctx, work, preread);
  const order = commitOrder(work.entities());
  for (const mapping of order) await resolveCounterparts(ctx, work, mapping);
  for (const mapping of order) await decideUpserts(ctx, work, mapping);
  createReferencedDeletions(ctx, work);
  const deletes = await planAllDeletes(ctx, deleteObjects);
  if (ctx.options.dryRun) return { work, deletes };
  await applyDeletes(ctx, runner, deletes);
  const written = new Map<EntityMapping, WorkItem[]>();
  for (const mapping of order) {
    written.set(mapping, rowsToWrite(work, mapping));
    await writeAndAnnounce(ctx, work, mapping, runner, written.get(mapping) ?? []);
  }
  await writeDeferred(ctx, work, order);
  for (const [mapping, rows] of written) await refreshTreeData(ctx, mapping, remoteKeysOf(rows));
  for (const mapping of order) await reconcileJoinRows(ctx, work, mapping);
  await writeIdMaps(ctx, work);
  await clearRetries(ctx, objects);
  return { work, deletes };
}

/**
 * Loads the synced rows, then every FK and m2m target they need, until nothing new appears (what
 * `preread` already read is taken from it).
 */
async function loadClosure(ctx: EngineContext, work: WorkSet, preread?: LocalPreread): Promise<void> {
  let pending = work.all();
  while (pending.length > 0) {
    const added: WorkItem[] = [];
    for (const [mapping, items] of groupByMapping(pending)) {
      const keys = items.map((i) => i.key);
      const rows = (await preread?.rowsOf(mapping, keys)) ?? (await readLocalRows(ctx.local, mapping, keys));
      for (const item of items) item.row = rows.get(item.key);
      for (const item of items) if (item.row === undefined) missingLocally(ctx, work, item);
      added.push(...addForeignTargets(work, items));
      added.push(...(await loadJoinRows(ctx, work, mapping, preread)));
    }
    pending = added.filter((i) => i.row === undefined && i.mode === 'ensure' && !i.cached);
  }
}

/** The remote keys of written rows (every row written has one once written). */
function remoteKeysOf(rows: readonly WorkItem[]): EncodedKey[] {
  return rows.flatMap((i) => (i.remoteKey === undefined ? [] : [i.remoteKey]));
}

function missingLocally(ctx: EngineContext, work: WorkSet, item: WorkItem): void {
  if (item.mode !== 'sync') return;
  work.remove(item);
  ctx.result.skip({
    entity: item.mapping.name,
    key: decodeKey(item.key),
    reason: 'logged object no longer exists locally and has no later delete log',
    code: 'MISSING_LOCALLY',
  });
}

function addForeignTargets(work: WorkSet, items: readonly WorkItem[]): WorkItem[] {
  const added: WorkItem[] = [];
  for (const item of items) {
    if (item.row === undefined) continue;
    for (const fk of item.mapping.foreignKeys) {
      const key = foreignKeyOf(fk, item.row);
      if (key !== undefined && work.get(fk.target, key) === undefined)
        added.push(work.add(fk.target, key, 'ensure'));
    }
  }
  return added;
}

function groupByMapping(items: readonly WorkItem[]): Map<EntityMapping, WorkItem[]> {
  return groupBy(items, (item) => item.mapping);
}

/**
 * Conflicts of the synced objects: with the remote row they overwrite, or, when the remote deleted
 * their counterpart, with that delete (a newer remote delete keeps the object deleted there).
 */
async function decideUpserts(ctx: EngineContext, work: WorkSet, mapping: EntityMapping): Promise<void> {
  const candidates = work
    .of(mapping)
    .filter((i) => i.mode === 'sync' && i.object !== undefined)
    .map((i) => ({
      key: i.key,
      remoteKeys: i.exists ? [i.remoteKey as EncodedKey] : i.gone,
      localAction: i.object?.action ?? 'update',
      localAtMs: i.object?.atMs ?? 0,
    }))
    .filter((c) => c.remoteKeys.length > 0);
  const kept = await decideConflicts(ctx, mapping, candidates);
  for (const key of kept) {
    const item = work.get(mapping, key);
    if (item !== undefined) item.decision = 'remote';
  }
}

async function planAllDeletes(ctx: EngineContext, objects: BatchObject[]): Promise<PlannedDelete[]> {
  const byMapping = groupBy(objects, (o) => o.mapping);
  const out: PlannedDelete[] = [];
  for (const mapping of commitOrder([...byMapping.keys()]).reverse()) {
    out.push(...(await planDeletes(ctx, mapping, byMapping.get(mapping) ?? [])));
  }
  return out;
}

async function applyDeletes(
  ctx: EngineContext,
  runner: QueryRunner,
  deletes: PlannedDelete[],
): Promise<void> {
  const applied = deletes.filter((d) => d.remoteKey !== undefined && !d.kept && !d.revived);
  for (const [mapping, planned] of groupBy(applied, (d) => d.object.mapping)) {
    const keys = planned.map((d) => d.remoteKey as EncodedKey);
    const announce = ctx.options.listeners && hasListeners(runner, mapping);
    const entities = announce ? await loadRemoteEntities(runner, mapping, keys) : new Map();
    await deleteRemoteRows(ctx, mapping, keys);
    ctx.result.count(mapping.name, 'deleted', keys.length);
    if (announce) await broadcastAfter(runner, mapping, 'remove', [...entities.values()]);
  }
  // A real run reports the deletes that send nothing (a kept one is reported as a conflict).
  for (const d of deletes)
    if (d.remoteKey === undefined || d.revived) ctx.result.plan.push(deletePlanEntry(d));
}

const REVIVED = 'delete: the object exists locally again (a newer remote change re-created it)';

/** The plan entry of a planned delete: for the dry run, and for a real run's deletes that send nothing. */
function deletePlanEntry(d: PlannedDelete) {
  const { name } = d.object.mapping;
  const { key } = d.object;
  if (d.remoteKey === undefined) return planEntry(name, key, 'none', 'delete: no remote counterpart');
  if (d.revived) return planEntry(name, key, 'none', REVIVED, d.remoteKey);
  if (d.kept) return planEntry(name, key, 'none', 'remote change is kept (conflict)', d.remoteKey);
  return planEntry(name, key, 'delete', 'delete logged', d.remoteKey);
}

async function writeAndAnnounce(
  ctx: EngineContext,
  work: WorkSet,
  mapping: EntityMapping,
  runner: QueryRunner,
  rows: WorkItem[],
): Promise<void> {
  if (rows.length === 0) return;
  const inserted = rows.filter((i) => !i.exists && !i.written);
  const updated = rows.filter((i) => i.exists || i.written);
  await writeEntityRows(ctx, work, mapping, rows);
  ctx.result.count(mapping.name, 'inserted', inserted.length);
  ctx.result.count(mapping.name, 'updated', updated.filter((i) => i.mode === 'sync').length);
  if (!ctx.options.listeners || !hasListeners(runner, mapping)) return;
  const entities = await loadRemoteEntities(
    runner,
    mapping,
    rows.map((i) => i.remoteKey as EncodedKey),
  );
  const pick = (items: WorkItem[]) => items.flatMap((i) => entities.get(i.remoteKey as EncodedKey) ?? []);
  await broadcastAfter(runner, mapping, 'insert', pick(inserted));
  await broadcastAfter(runner, mapping, 'update', pick(updated));
}

async function writeDeferred(ctx: EngineContext, work: WorkSet, order: EntityMapping[]) {
  for (const mapping of order) {
    const deferred = work.of(mapping).filter((i) => i.deferred);
    for (const item of deferred) item.deferred = false;
    if (deferred.length === 0) continue;
    await writeEntityRows(ctx, work, mapping, deferred);
    if (deferred.some((i) => i.deferred)) throw new Error(`unresolved forward references in ${mapping.name}`);
  }
}

async function writeIdMaps(ctx: EngineContext, work: WorkSet): Promise<void> {
  for (const mapping of work.entities()) {
    const changed = work
      .of(mapping)
      .filter((i) => i.remoteKey !== undefined && (i.exists || i.written) && !i.mapped);
    const pairs: KeyPair[] = changed.map((i) => ({ localKey: i.key, remoteKey: i.remoteKey as EncodedKey }));
    const replaced = pairs.filter((_, index) => changed[index]?.stale === true);
    await writeRemoteIdMap(ctx.sides, mapping.name, pairs, replaced);
  }
}

async function clearRetries(ctx: EngineContext, objects: readonly BatchObject[]): Promise<void> {
  const byEntity = new Map<string, EncodedKey[]>();
  for (const o of objects)
    if (o.retried) byEntity.set(o.mapping.name, [...(byEntity.get(o.mapping.name) ?? []), o.key]);
  for (const [entity, keys] of byEntity) await deleteRetries(ctx.remote, ctx.sides.localNode, entity, keys);
}

/** @internal A plan entry. */
export function planEntry(
  entity: string,
  key: EncodedKey,
  action: PlannedActionKind,
  reason: string,
  remoteKey?: EncodedKey,
) {
  return {
    entity,
    key: decodeKey(key),
    action,
    reason,
    ...(remoteKey === undefined ? {} : { remoteKey: decodeKey(remoteKey) }),
  };
}

/** @internal The dry-run plan of one batch: one entry per synced object, created dependency and delete. */
export function planOf(outcome: BatchOutcome) {
  const entries = outcome.work.all().flatMap((item) => {
    if (item.row === undefined) return [];
    if (item.mode === 'ensure') {
      return item.exists
        ? []
        : [planEntry(item.mapping.name, item.key, 'create-dependency', 'referenced row the remote lacks')];
    }
    if (item.decision === 'remote')
      return [
        planEntry(item.mapping.name, item.key, 'none', 'remote change is kept (conflict)', item.remoteKey),
      ];
    const action: PlannedActionKind = item.exists ? 'update' : 'insert';
    return [
      planEntry(
        item.mapping.name,
        item.key,
        action,
        `${item.object?.action ?? 'update'} logged; counterpart via ${item.via}`,
        item.remoteKey,
      ),
    ];
  });
  const deletes = outcome.deletes.map(deletePlanEntry);
  return [...deletes, ...entries];
}
