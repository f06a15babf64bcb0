import { SYNCHRO_TABLES } from '../store/synchro-tables';
import type { LogRow } from './log-reader';
import { queryRows, type SideSql } from './sync-sql';

/** Counters at most (4 bits each, 4 MiB): memory stays bounded whatever the range holds. */
const MAX_COUNTERS = 1 << 23;
/** Counters per row of the range, before the bound: few enough objects share a counter. */
const COUNTERS_PER_ROW = 8;
/** A counter that reached this value no longer counts: it stays "some row left" for good. */
const STUCK = 15;
/** Log rows read per statement while counting. */
const SCAN_PAGE = 20_000;

/**
 * @internal Tells, without a query per page, which log rows of a page are the last row of their object
 * in the range. One pass over the range's `(entity, object_key)` counts every row in a counting Bloom
 * filter (two 4-bit counters per object, chosen by hash); the pages then come in id order and each is
 * taken out with {@link take}, so the counts are those of the rows after the pages taken. An object
 * with a zero counter has no row left: the last row of it on the page just taken is its last in the
 * range. Counters shared with other objects, or stuck at their top, only make an object "not known"
 * (the caller asks the database), never wrongly "last". Rows must be taken exactly as scanned: a
 * row found missing from the counts makes every later answer "not known".
 *
 * @example
 * const last = await LastRows.scan(side, '100', '5000', 4900);
 * last.take(page);
 * last.isCertainlyLast(row); // true: no row of this object after the page in (100, 5000]
 */
export class LastRows {
  private trusted = true;

  private constructor(
    private readonly counts: Uint8Array,
    private readonly mask: number,
  ) {}

  /** Counts the log rows `from < id <= to` (`rows` of them: it sizes the filter). */
  static async scan(
    side: SideSql,
    from: string,
    to: string,
    rows: number,
    maxCounters = MAX_COUNTERS,
  ): Promise<LastRows> {
    const size = counterCount(rows, maxCounters);
    const last = new LastRows(new Uint8Array(Math.ceil(size / 2)), size - 1);
    for (let after = from; ;) {
      const page = await scanPage(side, after, to);
      for (const row of page) last.add(objectHash(row.entity, row.objectKey));
      const end = page[page.length - 1];
      if (end === undefined || page.length < SCAN_PAGE) return last;
      after = String(end.id);
    }
  }

  /** Takes the next page's rows out of the counts (pages in id order, each once). */
  take(rows: readonly LogRow[]): void {
    for (const row of rows) this.remove(objectHash(row.entity, row.objectKey));
  }

  /**
   * Whether `row`, the last row of its object on the page just taken, is its object's last in the
   * range: no row of the object is counted after the pages taken.
   */
  isCertainlyLast(row: LogRow): boolean {
    if (!this.trusted) return false;
    const hash = objectHash(row.entity, row.objectKey);
    return this.count(hash & this.mask) === 0 || this.count(this.secondOf(hash)) === 0;
  }

  private add(hash: number): void {
    this.increment(hash & this.mask);
    this.increment(this.secondOf(hash));
  }

  private remove(hash: number): void {
    this.decrement(hash & this.mask);
    this.decrement(this.secondOf(hash));
  }

  /** The object's second counter, by double hashing: an odd step from the first, so the two differ. */
  private secondOf(hash: number): number {
    const step = (Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0) | 1;
    return (hash + step) & this.mask;
  }

  private increment(at: number): void {
    const value = this.count(at);
    if (value < STUCK) this.set(at, value + 1);
  }

  private decrement(at: number): void {
    const value = this.count(at);
    if (value === 0) this.trusted = false;
    else if (value < STUCK) this.set(at, value - 1);
  }

  private count(at: number): number {
    return ((this.counts[at >>> 1] ?? 0) >>> ((at & 1) << 2)) & 0xf;
  }

  private set(at: number, value: number): void {
    const shift = (at & 1) << 2;
    const byte = this.counts[at >>> 1] ?? 0;
    this.counts[at >>> 1] = (byte & ~(0xf << shift)) | (value << shift);
  }
}

/** {@link COUNTERS_PER_ROW} per row, rounded up to a power of two, at least 1,024 and at most `max`. */
function counterCount(rows: number, max: number): number {
  let size = 1024;
  while (size < rows * COUNTERS_PER_ROW && size < max) size *= 2;
  return Math.min(size, max);
}

/** The hash of an object, the same wherever its entity and key were read from. */
function objectHash(entity: string, key: string): number {
  return hashOf(key, hashOf(entity, 0x811c9dc5));
}

/** FNV-1a over the UTF-16 code units of `text` and a closing 0 unit, continuing from `seed`. */
function hashOf(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(hash, 0x01000193) >>> 0;
}

type ScanRow = { id: unknown; entity: string; objectKey: string };

async function scanPage(side: SideSql, after: string, to: string): Promise<ScanRow[]> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const sql =
    `SELECT ${e('id')} AS ${e('id')}, ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('objectKey')} ` +
    `FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} > ${p(1)} AND ${e('id')} <= ${p(2)} ORDER BY ${e('id')} LIMIT ${SCAN_PAGE}`;
  return queryRows<ScanRow>(side, sql, [after, to]);
}
