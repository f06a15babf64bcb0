/**
 * A plain in-memory model of two databases A and B that log their own writes and synchronize with
 * each other, written from the synchronizer's contract (issue 3), not from its code:
 * - a sync X→Y sends every object logged on X since the last X→Y sync, collapsed to its last action;
 * - the counterpart is the id-map partner still alive on Y, else (tags) the row with the same natural
 *   key, else a new row; delivering twice never duplicates;
 * - newest wins for every action: the counterpart's newest Y log that X has not received yet, when it
 *   is as new or newer, keeps Y's row (a reported conflict);
 * - a counterpart Y deleted counts too: its newer Y delete (not received by X) keeps it deleted, an
 *   older one is overruled and the row is created again (a reported conflict either way); a row kept
 *   deleted that a written row references (FK, join row) is created all the same, as a target;
 * - a new pair replaces the object's pairs whose partners are gone (as the id map does);
 * - a delete whose object exists again on X (paired with the same Y row: a sync re-created it after
 *   Y's newer change won over the delete) sends nothing;
 * - foreign-key and m2m targets Y lacks are created first (never refreshed when they exist);
 * - skip fields: new rows get the default (NULL), existing rows keep theirs;
 * - the m2m rows of every synced owner equal the local ones; an insert and a delete that never
 *   reached Y send nothing; a logged object that no longer exists and has no delete log is skipped;
 * - the sync's writes are never logged; the databases' ON DELETE actions are not logged either.
 */
export type DbName = 'A' | 'B';
export type EntityName = 'parent' | 'child' | 'tag' | 'link';
export type LogAction = 'insert' | 'update' | 'delete' | 'm2m';

/** One row. Foreign keys hold the target's row id (`rid`) in the same database. */
export interface ModelRow {
  readonly rid: number;
  readonly entity: EntityName;
  uid: string;
  label: string;
  name: string;
  memo: string | null;
  color: string;
  value: number;
  parent: number | null;
  tag: number | null;
}

interface LogEntry {
  readonly rid: number;
  readonly action: LogAction;
  readonly time: number;
  /** The tag's label at delete time (its stored natural key). */
  readonly label: string;
}

/** One database of the model. */
export class ModelDb {
  readonly rows = new Map<number, ModelRow>();
  /** Join rows `parentRid:tagRid`. */
  readonly joins = new Set<string>();
  readonly log: LogEntry[] = [];
  constructor(readonly name: DbName) {}

  of(entity: EntityName): ModelRow[] {
    return [...this.rows.values()].filter((r) => r.entity === entity).sort((a, b) => a.rid - b.rid);
  }

  tagsOf(parent: number): number[] {
    return [...this.joins]
      .map((j) => j.split(':').map(Number) as [number, number])
      .filter(([p]) => p === parent)
      .map(([, t]) => t)
      .sort((a, b) => a - b);
  }

  byLabel(label: string): ModelRow | undefined {
    return this.of('tag').find((t) => t.label === label);
  }

  /** Removes a row with the databases' ON DELETE actions (SET NULL children, CASCADE links and joins). */
  removeCascading(rid: number): void {
    this.rows.delete(rid);
    for (const row of this.rows.values()) {
      if (row.entity === 'child' && row.parent === rid) row.parent = null;
    }
    for (const row of [...this.rows.values()]) {
      if (row.entity === 'link' && (row.parent === rid || row.tag === rid)) this.rows.delete(row.rid);
    }
    for (const j of [...this.joins]) if (j.split(':').map(Number).includes(rid)) this.joins.delete(j);
  }

  /** Canonical content, in the format of `contentOf(dataSource)`. */
  content(): string[] {
    const uid = (rid: number | null) => (rid === null ? '-' : (this.rows.get(rid)?.uid ?? '?'));
    const label = (rid: number | null) => (rid === null ? '-' : (this.rows.get(rid)?.label ?? '?'));
    const lines = [...this.rows.values()].map((r) => {
      if (r.entity === 'parent') return `P|${r.uid}|${r.name}|${r.memo ?? '-'}`;
      if (r.entity === 'child') return `C|${r.uid}|${r.value}|${uid(r.parent)}`;
      if (r.entity === 'tag') return `T|${r.label}|${r.color}`;
      return `L|${r.uid}|${r.value}|${uid(r.parent)}|${label(r.tag)}`;
    });
    for (const j of this.joins) {
      const [p, t] = j.split(':').map(Number) as [number, number];
      lines.push(`J|${uid(p)}|${label(t)}`);
    }
    return lines.sort();
  }
}

/** What the model expects a sync's result to report. */
export interface ExpectedReport {
  conflicts: number;
  missingLocally: number;
}

interface Pending {
  rid: number;
  last: LogEntry;
  maxTime: number;
  insertedInRange: boolean;
}

interface Item {
  rid: number;
  mode: 'sync' | 'ensure';
  pending?: Pending;
  target?: number;
  kept: boolean;
}

/** Two databases, their id map (pairs of row ids) and the delivery cursors. */
export class SyncModel {
  readonly dbs: Record<DbName, ModelDb> = { A: new ModelDb('A'), B: new ModelDb('B') };
  private readonly pairs = new Set<string>();
  /** How much of X's log was delivered to Y, per direction `XY`. */
  private readonly cursor: Record<'AB' | 'BA', number> = { AB: 0, BA: 0 };
  private nextRid = 1;
  /** Logical time: one tick per step; the runner keeps real time in the same order. */
  time = 0;

  newRow(db: DbName, entity: EntityName, fields: Partial<ModelRow>): ModelRow {
    const row = rowOf(this.nextRid++, entity, fields);
    this.dbs[db].rows.set(row.rid, row);
    return row;
  }

  logged(db: DbName, rid: number, action: LogAction): void {
    const row = this.dbs[db].rows.get(rid);
    this.dbs[db].log.push({ rid, action, time: this.time, label: row?.label ?? '' });
  }

  /** Applies a sync X→Y to the model and returns what its result should report. */
  sync(from: DbName, to: DbName): ExpectedReport {
    const x = this.dbs[from];
    const y = this.dbs[to];
    const report: ExpectedReport = { conflicts: 0, missingLocally: 0 };
    const pending = this.pendingOf(x, `${from}${to}` as 'AB');
    for (const p of pending.filter((p) => p.last.action === 'delete'))
      this.applyDelete(p, y, from, to, report);
    const items = new Map<number, Item>();
    for (const p of pending) {
      if (p.last.action === 'delete') continue;
      if (!x.rows.has(p.rid)) report.missingLocally++;
      else items.set(p.rid, { rid: p.rid, mode: 'sync', pending: p, kept: false });
    }
    this.closure(x, items);
    this.writeItems(x, y, from, to, items, report);
    this.cursor[`${from}${to}` as 'AB'] = x.log.length;
    return report;
  }

  private pendingOf(x: ModelDb, direction: 'AB' | 'BA'): Pending[] {
    const byRid = new Map<number, Pending>();
    for (const entry of x.log.slice(this.cursor[direction])) {
      const seen = byRid.get(entry.rid);
      byRid.set(entry.rid, {
        rid: entry.rid,
        last: entry,
        maxTime: Math.max(seen?.maxTime ?? 0, entry.time),
        insertedInRange: (seen?.insertedInRange ?? false) || entry.action === 'insert',
      });
    }
    return [...byRid.values()];
  }

  private applyDelete(p: Pending, y: ModelDb, from: DbName, to: DbName, report: ExpectedReport): void {
    const entity = this.entityOfLogged(p.rid, from);
    let target = this.partnerIn(p.rid, y);
    if (target === undefined && !p.insertedInRange && entity === 'tag') target = y.byLabel(p.last.label)?.rid;
    if (target === undefined) return;
    if (this.partnerIn(target, this.dbs[from]) !== undefined) return;
    if (this.remoteKeeps([target], to, from, p.maxTime, report)) return;
    y.removeCascading(target);
  }

  private entityOfLogged(rid: number, db: DbName): EntityName | undefined {
    return this.entities.get(rid) ?? this.dbs[db].rows.get(rid)?.entity;
  }

  /** Whether Y has a log of `targets` that X has not received, as new or newer than `localTime`. */
  private remoteKeeps(
    targets: readonly number[],
    to: DbName,
    from: DbName,
    localTime: number,
    report: ExpectedReport,
  ) {
    const unseen = this.dbs[to].log
      .slice(this.cursor[`${to}${from}` as 'AB'])
      .filter((e) => targets.includes(e.rid));
    if (unseen.length === 0) return false;
    report.conflicts++;
    return Math.max(...unseen.map((e) => e.time)) >= localTime;
  }

  private partnerIn(rid: number, y: ModelDb): number | undefined {
    for (const pair of this.pairs) {
      const [a, b] = pair.split(':').map(Number) as [number, number];
      if (a === rid && y.rows.has(b)) return b;
      if (b === rid && y.rows.has(a)) return a;
    }
    return undefined;
  }

  /** Every row ever paired with `rid` (alive or not). */
  private partnersOf(rid: number): number[] {
    return [...this.pairs]
      .map((pair) => pair.split(':').map(Number) as [number, number])
      .filter(([a, b]) => a === rid || b === rid)
      .map(([a, b]) => (a === rid ? b : a));
  }

  /** Records a pair; pairs of `rid` with other rows (all gone, or one would have been found) go. */
  private addPair(rid: number, target: number): void {
    if (this.pairs.has(`${rid}:${target}`) || this.pairs.has(`${target}:${rid}`)) return;
    for (const partner of this.partnersOf(rid)) {
      this.pairs.delete(`${rid}:${partner}`);
      this.pairs.delete(`${partner}:${rid}`);
    }
    this.pairs.add(`${rid}:${target}`);
  }

  private closure(x: ModelDb, items: Map<number, Item>): void {
    const ensure = (rid: number | null) => {
      if (rid !== null && !items.has(rid)) items.set(rid, { rid, mode: 'ensure', kept: false });
    };
    for (const item of [...items.values()]) {
      const row = x.rows.get(item.rid) as ModelRow;
      ensure(row.parent);
      ensure(row.tag);
      if (row.entity === 'parent') for (const t of x.tagsOf(row.rid)) ensure(t);
    }
  }

  private writeItems(
    x: ModelDb,
    y: ModelDb,
    from: DbName,
    to: DbName,
    items: Map<number, Item>,
    report: ExpectedReport,
  ): void {
    const order = ['tag', 'parent', 'child', 'link'] as const;
    const sorted = [...items.values()].sort(
      (a, b) => order.indexOf(x.rows.get(a.rid)!.entity) - order.indexOf(x.rows.get(b.rid)!.entity),
    );
    for (const item of sorted) this.writeItem(x, y, from, to, item, items, report);
    for (const item of sorted) {
      if (item.mode === 'sync' && !item.kept && x.rows.get(item.rid)!.entity === 'parent') {
        this.replaceJoins(x, y, to, item, items);
      }
    }
    for (const item of sorted) if (item.target !== undefined) this.addPair(item.rid, item.target);
  }

  private writeItem(
    x: ModelDb,
    y: ModelDb,
    from: DbName,
    to: DbName,
    item: Item,
    items: Map<number, Item>,
    report: ExpectedReport,
  ): void {
    const source = x.rows.get(item.rid) as ModelRow;
    const target =
      this.partnerIn(item.rid, y) ?? (source.entity === 'tag' ? y.byLabel(source.label)?.rid : undefined);
    if (target === undefined) {
      const gone = this.partnersOf(item.rid);
      const keep = item.mode === 'sync' && gone.length > 0;
      item.kept = keep && this.remoteKeeps(gone, to, from, item.pending!.maxTime, report);
      if (!item.kept) this.create(x, to, item, items);
      return;
    }
    item.target = target;
    if (item.mode === 'ensure') return;
    item.kept = this.remoteKeeps([target], to, from, item.pending!.maxTime, report);
    if (item.kept) return;
    const row = y.rows.get(target) as ModelRow;
    Object.assign(row, { ...this.valuesOf(x, to, source, items), rid: row.rid, memo: row.memo });
  }

  /** The row's values on Y: foreign keys mapped to the targets' Y rows. */
  private valuesOf(x: ModelDb, to: DbName, source: ModelRow, items: Map<number, Item>) {
    const mapped = (rid: number | null) => (rid === null ? null : (this.targetOf(x, to, rid, items) ?? null));
    return { ...source, parent: mapped(source.parent), tag: mapped(source.tag) };
  }

  /** A new Y row for the item (skip fields defaulted). */
  private create(x: ModelDb, to: DbName, item: Item, items: Map<number, Item>): void {
    const source = x.rows.get(item.rid) as ModelRow;
    item.target = this.newRow(to, source.entity, { ...this.valuesOf(x, to, source, items), memo: null }).rid;
  }

  /** The Y row of a target; one kept deleted by Y's newer delete is created now, as a target. */
  private targetOf(x: ModelDb, to: DbName, rid: number, items: Map<number, Item>): number | undefined {
    const item = items.get(rid);
    if (item !== undefined && item.kept && item.target === undefined) {
      item.mode = 'ensure';
      item.kept = false;
      this.create(x, to, item, items);
    }
    return item?.target;
  }

  private replaceJoins(x: ModelDb, y: ModelDb, to: DbName, item: Item, items: Map<number, Item>): void {
    for (const j of [...y.joins]) if (j.startsWith(`${item.target}:`)) y.joins.delete(j);
    for (const t of x.tagsOf(item.rid)) y.joins.add(`${item.target}:${this.targetOf(x, to, t, items)}`);
  }

  /** Entities of rows that were deleted (their log rows outlive them). */
  private readonly entities = new Map<number, EntityName>();

  /** Deletes a row as the application does (logged by the caller), with the ON DELETE actions. */
  remove(db: DbName, rid: number): void {
    const row = this.dbs[db].rows.get(rid);
    if (row !== undefined) this.entities.set(rid, row.entity);
    this.dbs[db].removeCascading(rid);
  }
}

function rowOf(rid: number, entity: EntityName, fields: Partial<ModelRow>): ModelRow {
  const row = {
    uid: '',
    label: '',
    name: '',
    memo: null,
    color: '',
    value: 0,
    parent: null,
    tag: null,
    ...fields,
    rid,
    entity,
  } as ModelRow;
  return row;
}
