import type { DataSource, EntityMetadata } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';
import type { AtomicBlock } from '../dialect/synchro-dialect';
import type { CapturedBuilder, CapturePlan } from './bulk-write-capture';
import { logInsertSql, logsBySelect, rewritingStatement, type LogInsert } from './log-select';

/** Per DataSource: whether its server runs the dialect's anonymous blocks (asked once). */
const blockSupport = new WeakMap<DataSource, Promise<boolean>>();

/**
 * A log INSERT built for one statement text, reused for the next statements with that text: its SQL,
 * its own leading parameters, and how many of the statement's last parameters (its WHERE's) follow.
 */
interface ReusableInsert {
  readonly sql: string;
  readonly fixed: readonly unknown[];
  readonly tail: number;
}

/** WHERE values (approximate bytes) past which a statement is not sent as a block. */
const BLOCK_VALUE_BYTES = 1 << 20;

/** Per entity, by statement kind and text. */
const insertsByStatement = new WeakMap<EntityMetadata, Map<string, ReusableInsert>>();
const STATEMENTS_KEPT = 64;

/**
 * Where the server runs anonymous blocks (MariaDB) and the dialect computes log keys in SQL: runs
 * `run()` (TypeORM's own `execute`, so its events stay as they are) with the statement sent inside one
 * block that starts a transaction, writes the log rows with `INSERT … SELECT … FOR UPDATE`, runs the
 * statement and commits. One round trip instead of four, just as atomic: any error rolls the block
 * back. The result's `affected` is the statement's own and its `raw` what TypeORM gives without the
 * block. Returns `undefined`, having run nothing, when it cannot (then the caller logs the usual way).
 * @internal
 */
export async function runWithLogBlock(
  qb: CapturedBuilder,
  plan: CapturePlan,
  run: () => Promise<unknown>,
): Promise<{ result: unknown } | undefined> {
  const block = dialectFor(plan.dataSource).atomicBlock;
  if (block === undefined || !logsBySelect(qb, plan) || !smallEnough(qb)) return undefined;
  if (!(await runsBlocks(plan.dataSource, block))) return undefined;
  const result = await rewritingStatement(
    qb,
    (sql, params) => {
      const insert = logInsertFor(qb, plan, sql, params);
      return [block.sql([insert.sql, sql]), [...insert.params, ...params]];
    },
    run,
  );
  return { result: settled(result, block) };
}

/**
 * The log INSERT for a statement TypeORM renders as `sql` with `params`. Its WHERE is the statement's
 * own, so its WHERE parameters are the statement's last ones: once built and checked for one text, the
 * same SQL serves every later statement with that text without building the SELECT again.
 */
function logInsertFor(
  qb: CapturedBuilder,
  plan: CapturePlan,
  sql: string,
  params: readonly unknown[],
): Pick<LogInsert, 'sql' | 'params'> {
  let byText = insertsByStatement.get(plan.metadata);
  if (byText === undefined) insertsByStatement.set(plan.metadata, (byText = new Map()));
  const id = `${plan.kind}\u0000${sql}`;
  const known = byText.get(id);
  if (known !== undefined) {
    return { sql: known.sql, params: [...known.fixed, ...params.slice(params.length - known.tail)] };
  }
  const built = logInsertSql(qb, plan)!;
  const entry = reusable(built, params);
  if (entry !== undefined) {
    if (byText.size >= STATEMENTS_KEPT) byText.clear();
    byText.set(id, entry);
  }
  return built;
}

/**
 * `built` as reusable when its WHERE parameters are the very values that end `params` (TypeORM renders
 * both WHERE clauses from the builder's one parameter map). A guard: were they ever placed otherwise, the
 * INSERT would only be built anew each time, never reused with the wrong values.
 */
function reusable(built: LogInsert, params: readonly unknown[]): ReusableInsert | undefined {
  const tail = built.params.length - built.fixed;
  if (tail < 0 || tail > params.length) return undefined;
  const own = params.slice(params.length - tail);
  if (!built.params.slice(built.fixed).every((value, i) => value === own[i])) return undefined;
  return { sql: built.sql, fixed: built.params.slice(0, built.fixed), tail };
}

/**
 * The block carries the statement's WHERE values twice (its own and the log INSERT's). Past
 * {@link BLOCK_VALUE_BYTES} of them, where one round trip saved is nothing beside the statement's own
 * work, the four statements are sent instead, each within the server's packet limit as before.
 */
function smallEnough(qb: CapturedBuilder): boolean {
  let bytes = 0;
  for (const value of Object.values(qb.expressionMap.parameters)) bytes += approximateBytes(value);
  return bytes <= BLOCK_VALUE_BYTES;
}

function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Buffer.isBuffer(value)) return value.length;
  if (!Array.isArray(value)) return 8;
  let bytes = 0;
  for (const item of value as unknown[]) bytes += approximateBytes(item);
  return bytes;
}

function runsBlocks(dataSource: DataSource, block: AtomicBlock): Promise<boolean> {
  let known = blockSupport.get(dataSource);
  if (known === undefined) blockSupport.set(dataSource, (known = probe(dataSource, block)));
  return known;
}

async function probe(dataSource: DataSource, block: AtomicBlock): Promise<boolean> {
  try {
    await dataSource.query(block.probeSql);
    return true;
  } catch (error) {
    // A lost connection says nothing about the server: ask again next time.
    if (dialectFor(dataSource).classifyError(error) === 'connection') blockSupport.delete(dataSource);
    return false;
  }
}

/**
 * TypeORM's update or delete result of the block, made what it is for the statement alone: `affected`
 * the statement's own count (read by the dialect), `raw` empty (TypeORM's `raw` for a MySQL UPDATE or
 * DELETE).
 */
function settled(result: unknown, block: AtomicBlock): unknown {
  const outcome = result as { raw?: unknown; affected?: number | null };
  const affected = block.affectedOf(outcome.raw);
  if (affected !== undefined) outcome.affected = affected;
  outcome.raw = [];
  return outcome;
}

/**
 * @internal Records what the probe would find without asking the server, so that tests on MariaDB can
 * take the path of a server without blocks (MySQL) with `false`.
 */
export function assumeBlockSupport(dataSource: DataSource, supported: boolean): void {
  blockSupport.set(dataSource, Promise.resolve(supported));
}
