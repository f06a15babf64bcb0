import { Brackets, type QueryRunner, type SelectQueryBuilder, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';
import type { EncodedKey } from '../core/entity-key';
import { dialectFor } from '../dialect/dialect-for';
import type { CapturedBuilder, CapturePlan } from './bulk-write-capture';
import { keyOfRaw, logRow, type RawRow } from './capture-rows';
import { handledByBuilder } from './capture-state';
import { inCaptureTransaction } from './capture-transaction';
import type { SynchroEntityConfig } from './entity-config';
import { queueLogRows } from './log-buffer';

const TUPLES_PER_QUERY = 200;

/** @internal Whether an insert builder is an upsert (`orUpdate`, `orIgnore`, 0.3's `onConflict`). */
export function isUpsert(map: QueryExpressionMap): boolean {
  const legacy = (map as unknown as { onConflict?: string }).onConflict;
  return map.onUpdate !== undefined || map.onIgnore === true || (typeof legacy === 'string' && legacy !== '');
}

/**
 * Upserts: the rows matching the values' conflict columns are read before (locked) and after the
 * statement; rows that existed are logged `update`, new ones `insert` (with `orIgnore`, rows that
 * existed were left alone and are not logged). TypeORM's own ids for upserts are wrong on SQLite and
 * MySQL, so the subscriber's insert events of these values are ignored.
 * @internal
 */
export function captureUpsert(
  qb: CapturedBuilder,
  plan: CapturePlan,
  run: () => Promise<unknown>,
): Promise<unknown> {
  const config = plan.config as SynchroEntityConfig;
  const values = valueSetsOf(qb.expressionMap);
  const columns = conflictColumnsOf(plan, qb.expressionMap.onUpdate?.conflict, values);
  const ignore = qb.expressionMap.onIgnore === true && qb.expressionMap.onUpdate === undefined;
  return inCaptureTransaction(qb, plan.dataSource, async (runner) => {
    values.forEach((v) => handledByBuilder.add(v));
    try {
      const lock = dialectFor(plan.dataSource).forUpdateSql !== '';
      const before = new Set(await keysByConflict(runner, plan, columns, values, lock));
      const result = await run();
      const after = await keysByConflict(runner, plan, columns, values, false);
      const changed = after.filter((key) => !(ignore && before.has(key)));
      await queueLogRows(
        runner,
        changed.map((key) => logRow(config.name, key, before.has(key) ? 'update' : 'insert')),
      );
      return result;
    } finally {
      values.forEach((v) => handledByBuilder.delete(v));
    }
  });
}

function valueSetsOf(map: QueryExpressionMap): ObjectLiteral[] {
  const values = map.valuesSet as ObjectLiteral | ObjectLiteral[] | undefined;
  if (values === undefined) return [];
  return Array.isArray(values) ? values : [values];
}

/** The columns that decide "exists": the conflict target, else the primary key, else the first unique. */
function conflictColumnsOf(plan: CapturePlan, target: unknown, values: ObjectLiteral[]): ColumnMetadata[] {
  const metadata = plan.metadata;
  const named = columnsNamed(plan, target);
  if (named.length > 0) return named;
  const primary = metadata.primaryColumns;
  if (values.every((v) => primary.every((c) => c.getEntityValue(v) !== undefined))) return primary;
  const unique = metadata.uniques[0]?.columns ?? metadata.indices.find((i) => i.isUnique)?.columns;
  return unique ?? primary;
}

function columnsNamed(plan: CapturePlan, target: unknown): ColumnMetadata[] {
  if (!Array.isArray(target)) return [];
  const columns = target.map((name) =>
    plan.metadata.columns.find(
      (c) => c.databaseName === name || c.propertyPath === name || c.propertyName === name,
    ),
  );
  return columns.every((c) => c !== undefined) ? (columns as ColumnMetadata[]) : [];
}

async function keysByConflict(
  runner: QueryRunner,
  plan: CapturePlan,
  columns: readonly ColumnMetadata[],
  values: readonly ObjectLiteral[],
  lock: boolean,
): Promise<EncodedKey[]> {
  const tuples = values
    .map((v) => columns.map((c) => c.getEntityValue(v) as unknown))
    .filter((t) => t.every((x) => x !== undefined && typeof x !== 'function'));
  const keys: EncodedKey[] = [];
  for (let start = 0; start < tuples.length; start += TUPLES_PER_QUERY) {
    const rows = await selectTuples(
      runner,
      plan,
      columns,
      tuples.slice(start, start + TUPLES_PER_QUERY),
      lock,
    );
    for (const row of rows) keys.push(keyOfRaw(plan.dataSource, plan.metadata, row));
  }
  return [...new Set(keys)];
}

function selectTuples(
  runner: QueryRunner,
  plan: CapturePlan,
  columns: readonly ColumnMetadata[],
  tuples: readonly unknown[][],
  lock: boolean,
): Promise<RawRow[]> {
  const driver = plan.dataSource.driver;
  const e = (name: string) => driver.escape(name);
  const [first, ...rest] = plan.metadata.primaryColumns;
  if (first === undefined) return Promise.resolve([]);
  let qb: SelectQueryBuilder<ObjectLiteral> = runner.manager
    .createQueryBuilder(plan.metadata.target, 't')
    .withDeleted()
    .select(`${e('t')}.${e(first.databaseName)}`, first.databaseName);
  for (const c of rest) qb = qb.addSelect(`${e('t')}.${e(c.databaseName)}`, c.databaseName);
  qb = qb.where(
    new Brackets((or) => {
      tuples.forEach((tuple, i) => {
        or.orWhere(
          new Brackets((and) => {
            columns.forEach((c, j) => {
              const value = driver.preparePersistentValue(tuple[j], c) as unknown;
              and.andWhere(`${e('t')}.${e(c.databaseName)} = :u${i}_${j}`, { [`u${i}_${j}`]: value });
            });
          }),
        );
      });
    }),
  );
  if (lock) qb = qb.setLock('pessimistic_write');
  return qb.getRawMany() as Promise<RawRow[]>;
}
