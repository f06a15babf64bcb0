import { dataSourceOf, type DataSourceLike } from '../core/data-source-of';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_TABLES } from '../store/synchro-tables';

/** `'in'`: the peer's log applied here (authoritative); `'out'`: mirror of what was delivered to the peer. */
export type CursorDirection = 'in' | 'out';

/** One delivery cursor. */
export interface StoredCursor {
  readonly peer: string;
  readonly direction: CursorDirection;
  /** The last log id covered (inclusive), as a string (64-bit safe). */
  readonly logId: string;
  /** Server time of the last write of this cursor, UTC epoch ms. */
  readonly atMs: number;
}

/**
 * The cursor of `peer` in `direction`, or `undefined` when none was written yet.
 *
 * @example
 * ```ts
 * const applied = await readCursor(remote, localNodeId, 'in') // { logId: '42', ... } | undefined
 * ```
 */
export async function readCursor(
  db: DataSourceLike,
  peer: string,
  direction: CursorDirection,
): Promise<StoredCursor | undefined> {
  const { e, p } = sqlOf(db);
  const rows = (await db.query(
    `${selectSql(db)} WHERE ${e('peer')} = ${p(1)} AND ${e('direction')} = ${p(2)}`,
    [peer, direction],
  )) as RawCursor[];
  return rows[0] === undefined ? undefined : cursorOf(rows[0]);
}

/**
 * Upserts the cursor of `peer` in `direction` to `logId`, stamped with the server clock. Pass a
 * transaction's manager or runner so that it commits with the data it describes.
 *
 * @example
 * ```ts
 * await writeCursor(remoteRunner, localNodeId, 'in', '42')
 * ```
 */
export async function writeCursor(
  db: DataSourceLike,
  peer: string,
  direction: CursorDirection,
  logId: string,
): Promise<void> {
  const { e, p, dialect } = sqlOf(db);
  const columns = [e('peer'), e('direction'), e('log_id'), e('at_ms')];
  const suffix = dialect.upsertSuffix([e('peer'), e('direction')], [e('log_id'), e('at_ms')]);
  await db.query(
    `INSERT INTO ${e(SYNCHRO_TABLES.cursor)} (${columns.join(', ')}) ` +
      `VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${dialect.nowMsSql})${suffix}`,
    [peer, direction, logId],
  );
}

/**
 * Every cursor stored on `db`, ordered by peer and direction.
 *
 * @example
 * ```ts
 * for (const c of await listCursors(local)) console.log(c.peer, c.direction, c.logId)
 * ```
 */
export async function listCursors(db: DataSourceLike): Promise<StoredCursor[]> {
  const { e } = sqlOf(db);
  const rows = (await db.query(`${selectSql(db)} ORDER BY ${e('peer')}, ${e('direction')}`)) as RawCursor[];
  return rows.map(cursorOf);
}

interface RawCursor {
  peer: string;
  direction: string;
  logId: unknown;
  atMs: unknown;
}

function sqlOf(db: DataSourceLike) {
  const ds = dataSourceOf(db);
  const dialect = dialectFor(ds);
  return { e: (name: string) => ds.driver.escape(name), p: dialect.placeholder, dialect };
}

function selectSql(db: DataSourceLike): string {
  const { e } = sqlOf(db);
  return (
    `SELECT ${e('peer')} AS ${e('peer')}, ${e('direction')} AS ${e('direction')}, ` +
    `${e('log_id')} AS ${e('logId')}, ${e('at_ms')} AS ${e('atMs')} FROM ${e(SYNCHRO_TABLES.cursor)}`
  );
}

function cursorOf(row: RawCursor): StoredCursor {
  return {
    peer: row.peer,
    direction: row.direction as CursorDirection,
    logId: String(row.logId),
    atMs: Number(row.atMs),
  };
}
