import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { queryRows, type SideSql } from './sync-sql';

/** Hash slots at most (8 bytes each, 4 MiB): memory stays bounded whatever the range holds. */
const MAX_SLOTS = 1 << 19;
/** Log rows read per statement while filling the table. */
const SCAN_PAGE = 20_000;

/**
 * @internal Tells, without a query per page, which log rows of a range are the last row of their
 * object. One pass over the range's `(id, entity, object_key)` keeps, per hash slot of the object, the
 * highest id seen. A row whose slot holds its own id is certainly its object's last row in the range;
 * a row whose slot holds a higher id is not known (a later row of its own object, or of another object
 * that shares the slot) and must be asked about.
 *
 * @example
 * const last = await LastRows.scan(side, '100', '5000', 4900);
 * last?.isCertainlyLast(row); // true: no later row of this object in (100, 5000]
 */
export class LastRows {
  private constructor(private readonly slots: Float64Array) {}

  /** Fills the table from the log rows `from < id <= to`; `undefined` when ids exceed exact doubles. */
  static async scan(
    side: SideSql,
    from: string,
    to: string,
    rows: number,
    maxSlots = MAX_SLOTS,
  ): Promise<LastRows | undefined> {
    if (BigInt(to) > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const last = new LastRows(new Float64Array(slotCount(rows, maxSlots)));
    for (let after = from; ;) {
      const page = await scanPage(side, after, to);
      for (const row of page) last.see(row.entity, row.objectKey, Number(row.id));
      const end = page[page.length - 1];
      if (end === undefined || page.length < SCAN_PAGE) return last;
      after = String(end.id);
    }
  }

  /** Whether no later row of the same object lies in the scanned range. */
  isCertainlyLast(entity: string, objectKey: string, id: string): boolean {
    return this.slots[this.slotOf(entity, objectKey)] === Number(id);
  }

  private see(entity: string, objectKey: string, id: number): void {
    const slot = this.slotOf(entity, objectKey);
    if (id > (this.slots[slot] ?? 0)) this.slots[slot] = id;
  }

  private slotOf(entity: string, objectKey: string): number {
    return (hashOf(objectKey, hashOf(entity, 0x811c9dc5)) >>> 0) & (this.slots.length - 1);
  }
}

/** Four slots per row, rounded up to a power of two, at least 1,024 and at most `maxSlots`. */
function slotCount(rows: number, maxSlots: number): number {
  let slots = 1024;
  while (slots < rows * 4 && slots < maxSlots) slots *= 2;
  return Math.min(slots, maxSlots);
}

/** FNV-1a over the UTF-16 code units of `text` and a closing 0 unit, continuing from `seed`. */
function hashOf(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(hash, 0x01000193);
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
