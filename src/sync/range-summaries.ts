import { LastRows } from './last-rows';
import { summarizeObjects, type LogRow, type ObjectLogSummary } from './log-reader';
import type { SideSql } from './sync-sql';

/** What the rows of an object seen on earlier pages (or a full summary) said. */
interface Carried {
  maxAtMs: number;
  inserted: boolean;
}

/** @internal Bounds on the memory {@link RangeSummaries} keeps (tests lower them to reach every path). */
export interface RangeSummaryLimits {
  /** Objects carried at most; past it every page asks the database, as if nothing were carried. */
  readonly carry: number;
  /** Counters of {@link LastRows} at most (a power of two). */
  readonly counters: number;
}

const LIMITS: RangeSummaryLimits = { carry: 50_000, counters: 1 << 23 };

/**
 * @internal The range summary ({@link ObjectLogSummary}) of each object at its last log row, page by
 * page, asking the database only about rows it cannot settle itself. Pages come in id order, so an
 * object's earlier rows were all seen (and carried) before its last one. A row is its object's last
 * when no later row of it is on the page and either the page ends the range or {@link LastRows} is
 * certain; the rest go to one grouped summary query, as every row once did.
 *
 * @example
 * const summaries = await RangeSummaries.open(local, { from, to, total }, batchSize);
 * const lastOnPage = await summaries.of(page, page.length < batchSize);
 */
export class RangeSummaries {
  private readonly carry = new Map<string, Carried>();
  private carryComplete = true;

  private constructor(
    private readonly side: SideSql,
    private readonly from: string,
    private readonly to: string,
    private readonly last: LastRows | undefined,
    private readonly carryLimit: number,
  ) {}

  /** Scans the range for {@link LastRows} only when it spans more than one page. */
  static async open(
    side: SideSql,
    range: { from: string; to: string; total: number },
    pageSize: number,
    limits: RangeSummaryLimits = LIMITS,
  ): Promise<RangeSummaries> {
    const { from, to, total } = range;
    const last = total > pageSize ? await LastRows.scan(side, from, to, total, limits.counters) : undefined;
    return new RangeSummaries(side, from, to, last, limits.carry);
  }

  /** Summaries (by `LogRow.object`) of the objects whose last row in the range is on `rows`. */
  async of(rows: readonly LogRow[], endsRange: boolean): Promise<Map<string, ObjectLogSummary>> {
    this.last?.take(rows);
    const lastOnPage = new Map<string, LogRow>();
    for (const row of rows) lastOnPage.set(row.object, row);
    const out = new Map<string, ObjectLogSummary>();
    const open: LogRow[] = [];
    for (const row of rows) {
      const id = row.object;
      if (lastOnPage.get(id) !== row) this.remember(id, row.atMs, row.action === 'insert');
      else if (this.settles(row, endsRange)) out.set(id, this.close(id, row));
      else open.push(row);
    }
    await this.ask(open, out);
    return out;
  }

  private settles(row: LogRow, endsRange: boolean): boolean {
    if (!this.carryComplete) return false;
    return endsRange || this.last?.isCertainlyLast(row) === true;
  }

  /** The grouped summary query for the rows the page could not settle. */
  private async ask(open: readonly LogRow[], out: Map<string, ObjectLogSummary>): Promise<void> {
    if (open.length === 0) return;
    const objects = open.map((row) => ({ entity: row.entity, key: row.objectKey }));
    const asked = await summarizeObjects(this.side, objects, this.from, this.to);
    for (const row of open) {
      const id = row.object;
      const summary = asked.get(id);
      if (summary === undefined) continue;
      if (summary.maxId !== row.id) this.remember(id, summary.maxAtMs, summary.insertedInRange);
      else {
        this.carry.delete(id);
        out.set(id, summary);
      }
    }
  }

  private remember(id: string, atMs: number, inserted: boolean): void {
    if (!this.carryComplete) return;
    const known = this.carry.get(id);
    if (known === undefined && this.carry.size >= this.carryLimit) {
      this.carryComplete = false;
      this.carry.clear();
      return;
    }
    this.carry.set(id, {
      maxAtMs: Math.max(known?.maxAtMs ?? atMs, atMs),
      inserted: (known?.inserted ?? false) || inserted,
    });
  }

  private close(id: string, row: LogRow): ObjectLogSummary {
    const known = this.carry.size === 0 ? undefined : this.carry.get(id);
    if (known !== undefined) this.carry.delete(id);
    return {
      maxId: row.id,
      maxAtMs: Math.max(known?.maxAtMs ?? row.atMs, row.atMs),
      insertedInRange: (known?.inserted ?? false) || row.action === 'insert',
    };
  }
}
