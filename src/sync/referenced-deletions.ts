import { overruleConflict } from './conflict-policy';
import type { EngineContext } from './engine-context';
import { m2mOwners } from './m2m-reconcile';
import { foreignKeyOf } from './row-reader';
import { rowsToWrite } from './row-writer';
import type { WorkItem, WorkSet } from './work-set';

/**
 * @internal A synced object whose remote counterpart a newer remote delete removed stays deleted
 * there (decision `'remote'`), unless a row the batch writes references it by a foreign key or a join
 * row: then it is created like any missing target (`ensure`), and its conflict report says so.
 * Repeated until no such object is left, since a created one may reference another.
 */
export function createReferencedDeletions(ctx: EngineContext, work: WorkSet): void {
  for (;;) {
    const deleted = work.all().filter(keptDeleted);
    if (deleted.length === 0) return;
    const referenced = referencedItems(work);
    const created = deleted.filter((i) => referenced.has(i));
    if (created.length === 0) return;
    for (const item of created) {
      Object.assign(item, { mode: 'ensure', decision: 'local' });
      overruleConflict(ctx, item.mapping, item.key);
    }
  }
}

function keptDeleted(item: WorkItem): boolean {
  return item.mode === 'sync' && item.decision === 'remote' && !item.exists;
}

/** The items that the rows this batch writes point at (foreign keys, join rows of synced owners). */
function referencedItems(work: WorkSet): Set<WorkItem> {
  const out = new Set<WorkItem>();
  const add = (item: WorkItem | undefined) => {
    if (item !== undefined) out.add(item);
  };
  for (const mapping of work.entities()) {
    for (const item of rowsToWrite(work, mapping)) {
      for (const fk of mapping.foreignKeys) {
        const key = item.row === undefined ? undefined : foreignKeyOf(fk, item.row);
        if (key !== undefined) add(work.get(fk.target, key));
      }
    }
    const owners = m2mOwners(work, mapping).filter((o) => o.decision === 'local');
    for (const junction of mapping.junctions) {
      const byOwner = work.joinRows.get(junction);
      for (const owner of owners)
        for (const inverse of byOwner?.get(owner.key) ?? []) add(work.get(junction.inverse, inverse));
    }
  }
  return out;
}
