import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';
import type { AtomicBlock } from '../dialect/synchro-dialect';
import type { CapturedBuilder, CapturePlan } from './bulk-write-capture';
import { logInsertSql, rewritingStatement } from './log-select';

/** Per DataSource: whether its server runs the dialect's anonymous blocks (asked once). */
const blockSupport = new WeakMap<DataSource, Promise<boolean>>();

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
  if (block === undefined) return undefined;
  const insert = logInsertSql(qb, plan);
  if (insert === undefined || !(await runsBlocks(plan.dataSource, block))) return undefined;
  const [insertSql, insertParams] = insert;
  const result = await rewritingStatement(
    qb,
    (sql, params) => [block.sql([insertSql, sql]), [...insertParams, ...params]],
    run,
  );
  return { result: settled(result) };
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
 * from the count the block selects, `raw` empty (TypeORM's `raw` for a MySQL UPDATE or DELETE).
 */
function settled(result: unknown): unknown {
  const outcome = result as { raw?: unknown; affected?: number | null };
  const [rows] = Array.isArray(outcome.raw) ? (outcome.raw as unknown[]) : [];
  const first = Array.isArray(rows) ? (rows[0] as { synchro_affected?: unknown } | undefined) : undefined;
  if (first?.synchro_affected !== undefined) outcome.affected = Number(first.synchro_affected);
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
