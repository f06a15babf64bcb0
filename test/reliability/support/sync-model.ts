/**
 * A plain in-memory model of two databases A and B that log their own writes and synchronize with
 * each other, written from the synchronizer's contract (issue 3), not from its code:
 * - a sync X→Y sends every object logged on X since the last X→Y sync, collapsed to its last action;
 * - the counterpart is the id-map partner still alive on Y, else (tags) the row with the same natural
 *   key, else a new row; delivering twice never duplicates;
 * - newest wins for every action: the counterpart's newest Y log that X has not received yet, when it
 *   is as new or newer, keeps Y's row (a reported conflict);
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
    if (this.remoteKeeps(target, to, from, p.maxTime, report)) return;
    y.removeCascading(target);
  }

  private entityOfLogged(rid: number, db: DbName): EntityName | undefined {
    return this.entities.get(rid) ?? this.dbs[db].rows.get(rid)?.entity;
  }

  /** Whether Y has a log of `target` that X has not received, as new or newer than `localTime`. */
  private remoteKeeps(target: number, to: DbName, from: DbName, localTime: number, report: ExpectedReport) {
    const unseen = this.dbs[to].log
      .slice(this.cursor[`${to}${from}` as 'AB'])
      .filter((e) => e.rid === target);
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
      if (item.target !== undefined) this.pairs.add(`${item.rid}:${item.target}`);
      if (item.mode === 'sync' && !item.kept && x.rows.get(item.rid)!.entity === 'parent') {
        this.replaceJoins(x, y, item, items);
      }
    }
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
    const mapped = (rid: number | null) => (rid === null ? null : (items.get(rid)?.target ?? null));
    const values = { ...source, parent: mapped(source.parent), tag: mapped(source.tag) };
    if (target === undefined) {
      item.target = this.newRow(to, source.entity, { ...values, memo: null }).rid;
      return;
    }
    item.target = target;
    if (item.mode === 'ensure') return;
    item.kept = this.remoteKeeps(target, to, from, item.pending!.maxTime, report);
    if (item.kept) return;
    const row = y.rows.get(target) as ModelRow;
    Object.assign(row, { ...values, rid: row.rid, memo: row.memo });
  }

  private replaceJoins(x: ModelDb, y: ModelDb, item: Item, items: Map<number, Item>): void {
    for (const j of [...y.joins]) if (j.startsWith(`${item.target}:`)) y.joins.delete(j);
    for (const t of x.tagsOf(item.rid)) y.joins.add(`${item.target}:${items.get(t)?.target}`);
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
