import fc from 'fast-check';
import { MoreThanOrEqual, type DataSource } from 'typeorm';
import { runInNoLogContext } from '../../../src/capture/no-log-context';
import { synchronize } from '../../../src/sync/synchronizer';
import type { SyncResult } from '../../../src/sync/sync-result';
import { SYNCHRO_TABLES } from '../../../src/store/synchro-tables';
import { contentOf, RELIABILITY_TABLES, RelChild, RelLink, RelParent, RelTag } from './model-entities';
import { SyncModel, type DbName, type EntityName, type ModelRow } from './sync-model';

/** One step of a random history; `i`/`j` pick existing rows (modulo their count), `v` a value. */
export type Step =
  | { k: 'createParent' | 'createTag'; db: DbName; v: number }
  | { k: 'updateParent'; db: DbName; i: number; memo: boolean }
  | {
      k: 'noLogUpdateParent' | 'deleteParent' | 'deleteChild' | 'deleteTag' | 'deleteLink';
      db: DbName;
      i: number;
    }
  | { k: 'updateTag' | 'updateLink'; db: DbName; i: number }
  | { k: 'createChild'; db: DbName; i: number | null; v: number }
  | { k: 'updateChild'; db: DbName; i: number; j: number | null; v: number }
  /** `update(criteria, …)`: every child whose value is at least the picked one's. */
  | { k: 'bulkUpdateChildren'; db: DbName; i: number }
  | { k: 'createLink'; db: DbName; i: number; j: number }
  | { k: 'm2mAdd' | 'm2mRemove' | 'm2mClear'; db: DbName; i: number; j: number }
  | { k: 'sync'; from: DbName; commit: 'run' | 'batch'; batchSize: number };

const LABELS = ['red', 'green', 'blue', 'cyan', 'gold'];

/** Random histories: writes on both databases (some unlogged) and syncs in both directions. */
export function historyArbitrary(maxLength: number): fc.Arbitrary<Step[]> {
  const db = fc.constantFrom<DbName>('A', 'B');
  const pick = fc.nat(3);
  const v = fc.nat(99);
  const step = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ k: fc.constantFrom('createParent' as const, 'createTag' as const), db, v }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constant('createChild' as const), db, i: fc.option(pick), v }),
    },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('createLink' as const), db, i: pick, j: pick }) },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constant('updateParent' as const), db, i: pick, memo: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constant('updateChild' as const), db, i: pick, j: fc.option(pick), v }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.constantFrom('updateTag' as const, 'updateLink' as const), db, i: pick }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('bulkUpdateChildren' as const), db, i: pick }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constantFrom(
          'noLogUpdateParent' as const,
          'deleteParent' as const,
          'deleteChild' as const,
          'deleteTag' as const,
          'deleteLink' as const,
        ),
        db,
        i: pick,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        k: fc.constantFrom('m2mAdd' as const, 'm2mAdd' as const, 'm2mRemove' as const, 'm2mClear' as const),
        db,
        i: pick,
        j: pick,
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        k: fc.constant('sync' as const),
        from: db,
        commit: fc.constantFrom<'run' | 'batch'>('run', 'batch'),
        batchSize: fc.constantFrom(500, 3),
      }),
    },
  );
  return fc.array(step, { minLength: 1, maxLength, size: 'max' });
}

/** Deletes every data row and the library's bookkeeping (not the node identities), unlogged. */
export async function truncateAll(ds: DataSource): Promise<void> {
  const e = (name: string) => ds.driver.escape(name);
  for (const table of RELIABILITY_TABLES) await ds.query(`DELETE FROM ${e(table)}`);
  for (const table of ['log', 'idMap', 'cursor', 'retry', 'lease'] as const)
    await ds.query(`DELETE FROM ${e(SYNCHRO_TABLES[table])}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a history against two real databases and the model, checking both after every sync. */
export class HistoryRunner {
  readonly model = new SyncModel();
  private uidCounter = 0;
  /** Steps that had nothing to act on (e.g. deleting a child when there is none). */
  noops = 0;
  syncs = 0;

  constructor(private readonly ds: Record<DbName, DataSource>) {}

  async run(steps: readonly Step[]): Promise<void> {
    for (const [index, step] of steps.entries()) {
      this.model.time = index + 1;
      if (step.k === 'sync') await this.sync(step, index);
      else {
        // Log times are server clock ms: keep them strictly in step order, as the model's ticks are.
        await sleep(3);
        // A step with nothing to act on (no row to update, no tag to link) creates a parent instead.
        if (!(await this.write(step, index))) {
          this.noops++;
          await this.write({ k: 'createParent', db: step.db, v: index }, index);
        }
      }
    }
  }

  private async sync(step: Extract<Step, { k: 'sync' }>, index: number): Promise<void> {
    const to: DbName = step.from === 'A' ? 'B' : 'A';
    const result: SyncResult = await synchronize({
      local: this.ds[step.from],
      remote: this.ds[to],
      commit: step.commit,
      batchSize: step.batchSize,
    });
    const expected = this.model.sync(step.from, to);
    this.syncs++;
    const where = `after step ${index} (sync ${step.from}→${to})`;
    check(where, 'skipped', result.skipped.map((s) => s.code).sort(), [
      ...Array<string>(expected.missingLocally).fill('MISSING_LOCALLY'),
    ]);
    check(where, 'conflicts reported', result.conflicts.length, expected.conflicts);
    check(where, 'database A', await contentOf(this.ds.A), this.model.dbs.A.content());
    check(where, 'database B', await contentOf(this.ds.B), this.model.dbs.B.content());
  }

  private rowsOf(db: DbName, entity: EntityName): ModelRow[] {
    return this.model.dbs[db].of(entity);
  }

  private pick(db: DbName, entity: EntityName, i: number | null): ModelRow | undefined {
    const rows = this.rowsOf(db, entity);
    return i === null || rows.length === 0 ? undefined : rows[i % rows.length];
  }

  /** Performs one write on its database and on the model; false when it had nothing to act on. */
  private async write(step: Exclude<Step, { k: 'sync' }>, index: number): Promise<boolean> {
    const ds = this.ds[step.db];
    const model = this.model;
    const db = step.db;
    switch (step.k) {
      case 'createParent': {
        const memo = step.v % 2 === 0 ? `m${index}` : null;
        const row = model.newRow(db, 'parent', { uid: this.uid(), name: `n${index}`, memo });
        await ds.getRepository(RelParent).save({ uid: row.uid, name: row.name, memo });
        model.logged(db, row.rid, 'insert');
        return true;
      }
      case 'createTag': {
        const label = LABELS[step.v % LABELS.length] as string;
        if (model.dbs[db].byLabel(label) !== undefined) return false;
        const row = model.newRow(db, 'tag', { label, color: `c${index}` });
        await ds.getRepository(RelTag).save({ label, color: row.color });
        model.logged(db, row.rid, 'insert');
        return true;
      }
      case 'updateParent':
      case 'noLogUpdateParent': {
        const row = this.pick(db, 'parent', step.i);
        if (row === undefined) return false;
        const entity = await ds.getRepository(RelParent).findOneByOrFail({ uid: row.uid });
        row.name = entity.name = `n${index}`;
        if (step.k === 'updateParent' && step.memo) row.memo = entity.memo = `m${index}`;
        if (step.k === 'noLogUpdateParent') {
          await runInNoLogContext(() => ds.getRepository(RelParent).save(entity));
        } else {
          await ds.getRepository(RelParent).save(entity);
          model.logged(db, row.rid, 'update');
        }
        return true;
      }
      case 'updateTag': {
        const row = this.pick(db, 'tag', step.i);
        if (row === undefined) return false;
        const entity = await ds.getRepository(RelTag).findOneByOrFail({ label: row.label });
        row.color = entity.color = `c${index}`;
        await ds.getRepository(RelTag).save(entity);
        model.logged(db, row.rid, 'update');
        return true;
      }
      case 'createChild': {
        const parent = this.pick(db, 'parent', step.i);
        const row = model.newRow(db, 'child', { uid: this.uid(), value: index, parent: parent?.rid ?? null });
        await ds.getRepository(RelChild).save({
          uid: row.uid,
          value: row.value,
          parent: parent === undefined ? null : ((await this.entityOf(ds, parent)) as RelParent),
        });
        model.logged(db, row.rid, 'insert');
        return true;
      }
      case 'updateChild': {
        const row = this.pick(db, 'child', step.i);
        if (row === undefined) return false;
        const parent = this.pick(db, 'parent', step.j);
        const entity = await ds.getRepository(RelChild).findOneByOrFail({ uid: row.uid });
        entity.value = row.value = index;
        entity.parent = parent === undefined ? null : ((await this.entityOf(ds, parent)) as RelParent);
        row.parent = parent?.rid ?? null;
        await ds.getRepository(RelChild).save(entity);
        model.logged(db, row.rid, 'update');
        return true;
      }
      case 'bulkUpdateChildren': {
        const picked = this.pick(db, 'child', step.i);
        if (picked === undefined) return false;
        const value = picked.value;
        const rows = this.rowsOf(db, 'child').filter((row) => row.value >= value);
        await ds.getRepository(RelChild).update({ value: MoreThanOrEqual(value) }, { value: index });
        for (const row of rows) {
          row.value = index;
          model.logged(db, row.rid, 'update');
        }
        return true;
      }
      case 'createLink': {
        const parent = this.pick(db, 'parent', step.i);
        const tag = this.pick(db, 'tag', step.j);
        if (parent === undefined || tag === undefined) return false;
        const row = model.newRow(db, 'link', {
          uid: this.uid(),
          value: index,
          parent: parent.rid,
          tag: tag.rid,
        });
        await ds.getRepository(RelLink).save({
          uid: row.uid,
          weight: index,
          parent: (await this.entityOf(ds, parent)) as RelParent,
          tag: (await this.entityOf(ds, tag)) as RelTag,
        });
        model.logged(db, row.rid, 'insert');
        return true;
      }
      case 'updateLink': {
        const row = this.pick(db, 'link', step.i);
        if (row === undefined) return false;
        const entity = await ds.getRepository(RelLink).findOneByOrFail({ uid: row.uid });
        entity.weight = row.value = index;
        await ds.getRepository(RelLink).save(entity);
        model.logged(db, row.rid, 'update');
        return true;
      }
      case 'deleteParent':
      case 'deleteChild':
      case 'deleteTag':
      case 'deleteLink':
        return this.remove(ds, db, ENTITY_OF[step.k], step.i);
      case 'm2mAdd':
      case 'm2mRemove':
      case 'm2mClear':
        return this.m2m(ds, step);
    }
  }

  private async remove(ds: DataSource, db: DbName, entity: EntityName, i: number): Promise<boolean> {
    const row = this.pick(db, entity, i);
    if (row === undefined) return false;
    const loaded = await this.entityOf(ds, row);
    await ds.getRepository(TARGETS[entity]).remove(loaded as never);
    this.model.logged(db, row.rid, 'delete');
    this.model.remove(db, row.rid);
    return true;
  }

  private async m2m(ds: DataSource, step: Extract<Step, { k: 'm2mAdd' | 'm2mRemove' | 'm2mClear' }>) {
    const db = step.db;
    const parent = this.pick(db, 'parent', step.i);
    if (parent === undefined) return false;
    const joined = this.model.dbs[db].tagsOf(parent.rid);
    const all = this.rowsOf(db, 'tag');
    const candidates =
      step.k === 'm2mAdd'
        ? all.filter((t) => !joined.includes(t.rid))
        : all.filter((t) => joined.includes(t.rid));
    if (candidates.length === 0) return false;
    const chosen = step.k === 'm2mClear' ? candidates : [candidates[step.j % candidates.length] as ModelRow];
    const parentId = (await this.entityOf(ds, parent)).id;
    const tagIds = await Promise.all(chosen.map(async (t) => (await this.entityOf(ds, t)).id));
    const relation = ds.createQueryBuilder().relation(RelParent, 'tags').of(parentId);
    if (step.k === 'm2mAdd') await relation.add(tagIds);
    else await relation.remove(tagIds);
    for (const t of chosen) {
      const join = `${parent.rid}:${t.rid}`;
      if (step.k === 'm2mAdd') this.model.dbs[db].joins.add(join);
      else this.model.dbs[db].joins.delete(join);
    }
    this.model.logged(db, parent.rid, 'm2m');
    return true;
  }

  private async entityOf(ds: DataSource, row: ModelRow): Promise<{ id: number }> {
    if (row.entity === 'tag') return ds.getRepository(RelTag).findOneByOrFail({ label: row.label });
    return ds.getRepository(TARGETS[row.entity]).findOneByOrFail({ uid: row.uid } as never);
  }

  private uid(): string {
    return `u${++this.uidCounter}`;
  }
}

const ENTITY_OF = {
  deleteParent: 'parent',
  deleteChild: 'child',
  deleteTag: 'tag',
  deleteLink: 'link',
} as const;

const TARGETS = { parent: RelParent, child: RelChild, tag: RelTag, link: RelLink } as const;

/** A divergence between a database and the model. */
export class DivergenceError extends Error {}

function check(where: string, what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new DivergenceError(`${where}: ${what} diverged\n  actual:   ${a}\n  expected: ${e}`);
}
