import { isChangeAction, type ChangeAction } from '../core/change-action';
import type { EncodedKey } from '../core/entity-key';
import { LOG_OBJECT_INDEX, SYNCHRO_TABLES } from '../store/synchro-tables';
import { chunksOf, keyedSelect, queryRows, tuplesPerStatement, type SideSql } from './sync-sql';

/** @internal One row of a change log. */
export interface LogRow {
  readonly id: string;
  readonly entity: string;
  readonly objectKey: EncodedKey;
  readonly action: ChangeAction;
  readonly atMs: number;
  readonly naturalKey: string;
  /** {@link objectId} of the row's object, built once per row. */
  readonly object: string;
}

/** @internal What the whole log range says about one object. */
export interface ObjectLogSummary {
  readonly maxId: string;
  readonly maxAtMs: number;
  /** The object was inserted within the range (it may never have reached the remote). */
  readonly insertedInRange: boolean;
}

interface RawLog {
  id: unknown;
  entity: string;
  objectKey: string;
  action: string;
  atMs: unknown;
  naturalKey: string;
}

function columnsSql(side: SideSql): string {
  const { e } = side;
  return (
    `${e('id')} AS ${e('id')}, ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('objectKey')}, ` +
    `${e('action')} AS ${e('action')}, ${e('at_ms')} AS ${e('atMs')}, ${e('natural_key')} AS ${e('naturalKey')}`
  );
}

function logRowOf(raw: RawLog): LogRow {
  const action = isChangeAction(raw.action) ? raw.action : 'update';
  return {
    id: String(raw.id),
    entity: raw.entity,
    objectKey: raw.objectKey,
    action,
    atMs: Number(raw.atMs),
    naturalKey: raw.naturalKey,
    object: objectId(raw.entity, raw.objectKey),
  };
}

/** @internal The next page of log rows with `after < id <= to`, in id order. */
export async function readLogPage(
  side: SideSql,
  after: string,
  to: string,
  limit: number,
): Promise<LogRow[]> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const sql =
    `SELECT ${columnsSql(side)} FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} > ${p(1)} AND ${e('id')} <= ${p(2)} ` +
    `ORDER BY ${e('id')} LIMIT ${Math.floor(limit)}`;
  return (await queryRows<RawLog>(side, sql, [after, to])).map(logRowOf);
}

/** @internal One page of {@link logPages}. */
export interface LogPage {
  /** At least one row. */
  readonly rows: readonly LogRow[];
  /** The id of the page's last row. */
  readonly lastId: string;
  /** No log row of the range comes after this page. */
  readonly endsRange: boolean;
}

/**
 * @internal The log rows `after < id <= to` in pages of `limit`, in id order, and no read past a page
 * that ends the range. With `readAhead`, each page is read while the caller works on the one before
 * (the next read is issued when a page is handed out); without it, when the caller asks for it.
 *
 * @example
 * for await (const page of logPages(local, cursor, mark, 2000)) apply(page.rows);
 */
export async function* logPages(
  side: SideSql,
  after: string,
  to: string,
  limit: number,
  readAhead = true,
): AsyncGenerator<LogPage> {
  let next: Promise<LogRow[]> = readLogPage(side, after, to, limit);
  for (;;) {
    const rows = await next;
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    const endsRange = rows.length < limit || last.id === to;
    const read = () => (endsRange ? Promise.resolve([]) : readLogPage(side, last.id, to, limit));
    if (readAhead) {
      next = read();
      // A caller that stops on an error leaves this read behind: its failure must not go unhandled.
      next.catch(() => undefined);
    }
    yield { rows, lastId: last.id, endsRange };
    if (!readAhead) next = read();
  }
}

/** @internal How many log rows lie in `(from, to]`. */
export async function countLogs(side: SideSql, from: string, to: string): Promise<number> {
  const { e } = side;
  const p = side.dialect.placeholder;
  const rows = await queryRows<{ n: unknown }>(
    side,
    `SELECT COUNT(*) AS ${e('n')} FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} > ${p(1)} AND ${e('id')} <= ${p(2)}`,
    [from, to],
  );
  return Number(rows[0]?.n ?? 0);
}

/** @internal `entity \u0000 key`, the identity of an object across entities. */
export function objectId(entity: string, key: EncodedKey): string {
  return `${entity}\u0000${key}`;
}

/**
 * @internal Per object, its last log id, newest time and whether it was inserted, over `(from, to]`:
 * one grouped query per entity and chunk, served by the (entity, object_key, id) index.
 */
export async function summarizeObjects(
  side: SideSql,
  objects: readonly { entity: string; key: EncodedKey }[],
  from: string,
  to: string,
): Promise<Map<string, ObjectLogSummary>> {
  const out = new Map<string, ObjectLogSummary>();
  for (const [entity, keys] of groupKeys(objects)) {
    for (const part of chunksOf(keys, tuplesPerStatement(side, 1))) {
      for (const row of await summaryRows(side, entity, part, from, to)) {
        out.set(objectId(entity, row.objectKey), {
          maxId: String(row.maxId),
          maxAtMs: Number(row.maxAt),
          insertedInRange: Number(row.ins) > 0,
        });
      }
    }
  }
  return out;
}

type SummaryRow = { objectKey: string; maxId: unknown; maxAt: unknown; ins: unknown };

/** The aggregates of one object's log rows in the range: its last id, newest time, inserts. */
function aggregatesSql(side: SideSql): string {
  const { e } = side;
  return (
    `MAX(${e('id')}) AS ${e('maxId')}, MAX(${e('at_ms')}) AS ${e('maxAt')}, ` +
    `SUM(CASE WHEN ${e('action')} = 'insert' THEN 1 ELSE 0 END) AS ${e('ins')}`
  );
}

/**
 * One grouped statement, always through the (entity, object_key, id) index: one probe per key where the
 * dialect can say so, else a key list (with an index hint where the planner would scan the id range).
 */
async function summaryRows(side: SideSql, entity: string, keys: readonly string[], from: string, to: string) {
  const { e } = side;
  const p = side.dialect.placeholder;
  const { sql, params } = keyedSelect(side, {
    select: `${e('object_key')} AS ${e('objectKey')}, ${aggregatesSql(side)}`,
    from: indexedLog(side),
    where: `${e('entity')} = ${p(1)} AND ${e('id')} > ${p(2)} AND ${e('id')} <= ${p(3)}`,
    params: [entity, from, to],
    keyColumn: e('object_key'),
    keys,
    groupBy: e('object_key'),
  });
  return queryRows<SummaryRow>(side, sql, params);
}

/** The log table, hinted to use its object index where the dialect needs the hint. */
function indexedLog(side: SideSql): string {
  const log = side.e(SYNCHRO_TABLES.log);
  return side.dialect.indexedSql?.(log, side.e(LOG_OBJECT_INDEX)) ?? log;
}

/** @internal The newest log row (id ≤ `to`) of each object, for retried objects and `full` runs. */
export async function latestLogs(
  side: SideSql,
  objects: readonly { entity: string; key: EncodedKey }[],
  to: string,
): Promise<Map<string, LogRow>> {
  const summaries = await summarizeObjects(side, objects, '-1', to);
  const ids = [...summaries.values()].map((s) => s.maxId);
  const out = new Map<string, LogRow>();
  const { e } = side;
  for (const part of chunksOf(ids, tuplesPerStatement(side, 1))) {
    const marks = part.map((_, i) => side.dialect.placeholder(i + 1)).join(', ');
    const sql = `SELECT ${columnsSql(side)} FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} IN (${marks})`;
    for (const raw of await queryRows<RawLog>(side, sql, part)) {
      const row = logRowOf(raw);
      out.set(objectId(row.entity, row.objectKey), row);
    }
  }
  return out;
}

/**
 * @internal The newest remote log time and action of each remote key, counting only rows with
 * `id > afterId` (the remote's own changes the local side has not received yet).
 */
export async function remoteChangeTimes(
  side: SideSql,
  entity: string,
  keys: readonly EncodedKey[],
  afterId: string,
): Promise<Map<EncodedKey, { atMs: number; action: ChangeAction }>> {
  const out = new Map<EncodedKey, { atMs: number; action: ChangeAction }>();
  const { e } = side;
  const p = side.dialect.placeholder;
  for (const part of chunksOf(keys, tuplesPerStatement(side, 1))) {
    const { sql, params } = keyedSelect(side, {
      select: columnsSql(side),
      from: indexedLog(side),
      where: `${e('entity')} = ${p(1)} AND ${e('id')} > ${p(2)}`,
      params: [entity, afterId],
      keyColumn: e('object_key'),
      keys: part,
      orderBy: e('id'),
    });
    for (const raw of await queryRows<RawLog>(side, sql, params)) {
      const row = logRowOf(raw);
      const prev = out.get(row.objectKey);
      if (prev === undefined || row.atMs >= prev.atMs)
        out.set(row.objectKey, { atMs: row.atMs, action: row.action });
    }
  }
  return out;
}

function groupKeys(objects: readonly { entity: string; key: EncodedKey }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const o of objects) {
    const list = out.get(o.entity) ?? [];
    list.push(o.key);
    out.set(o.entity, list);
  }
  for (const [entity, keys] of out) out.set(entity, [...new Set(keys)]);
  return out;
}
