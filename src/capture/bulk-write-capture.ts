import {
  DeleteQueryBuilder,
  InsertQueryBuilder,
  UpdateQueryBuilder,
  type DataSource,
  type EntityMetadata,
  type ObjectLiteral,
  type SelectQueryBuilder,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';
import { SoftDeleteQueryBuilder } from 'typeorm/query-builder/SoftDeleteQueryBuilder';
import { dataSourceOf } from '../core/data-source-of';
import { dialectFor } from '../dialect/dialect-for';
import {
  deleteColumnsOf,
  keyOfRaw,
  logRow,
  naturalKeyOfRaw,
  ownerKeyOfJunctionRaw,
  type RawRow,
} from './capture-rows';
import { captureConfigOf, handledByBuilder } from './capture-state';
import { inCaptureTransaction, type WriteBuilder } from './capture-transaction';
import type { SynchroEntityConfig, SynchroJunctionConfig } from './entity-config';
import { queueLogRows } from './log-buffer';
import { runWithLogBlock } from './log-block';
import { logKeysBySelect, runWithLogCte } from './log-select';
import type { LogRowInput } from './log-writer';
import { captureUpsert, isUpsert } from './upsert-capture';

/** A TypeORM write query builder as the capture sees it. @internal */
export interface CapturedBuilder extends WriteBuilder {
  expressionMap: QueryExpressionMap;
  clone(): CapturedBuilder & { select(selection: string, alias: string): SelectQueryBuilder<ObjectLiteral> };
}

/** What one captured statement writes: its DataSource, kind and watched target. @internal */
export interface CapturePlan {
  readonly dataSource: DataSource;
  readonly metadata: EntityMetadata;
  readonly kind: 'insert' | 'update' | 'delete' | 'soft-delete' | 'restore';
  readonly config: SynchroEntityConfig | undefined;
  readonly junction: SynchroJunctionConfig | undefined;
}

type Execute = (this: CapturedBuilder) => Promise<unknown>;
const PATCHED = Symbol.for('typeorm-synchro:builder-capture');

/**
 * Wraps `execute()` of TypeORM's insert, update, delete and soft-delete builders, which is where
 * `insert`, `upsert`, `update`, `delete`, `softDelete`, `restore`, `increment`, `decrement` and the
 * QueryBuilder forms end up. For watched targets it makes the statement transactional and resolves
 * the keys of the rows it touches; for anything else it calls the original untouched. Idempotent.
 * @internal
 */
export function installBuilderCapture(): void {
  patch(InsertQueryBuilder.prototype, captureInsert);
  patch(UpdateQueryBuilder.prototype, captureBulk);
  patch(DeleteQueryBuilder.prototype, captureBulk);
  patch(SoftDeleteQueryBuilder.prototype, captureBulk);
}

function patch(
  prototype: object,
  capture: (qb: CapturedBuilder, plan: CapturePlan, run: () => Promise<unknown>) => Promise<unknown>,
): void {
  const proto = prototype as Record<string | symbol, unknown>;
  if (Object.prototype.hasOwnProperty.call(proto, PATCHED)) return;
  const original = proto.execute as Execute;
  proto.execute = function execute(this: CapturedBuilder): Promise<unknown> {
    const plan = planOf(this);
    return plan === undefined ? original.call(this) : capture(this, plan, () => original.call(this));
  };
  proto[PATCHED] = true;
}

function planOf(qb: CapturedBuilder): CapturePlan | undefined {
  const map = qb.expressionMap;
  if (map.callListeners !== true || map.mainAlias?.hasMetadata !== true) return undefined;
  const dataSource = dataSourceOf(qb as never);
  const configs = captureConfigOf(dataSource);
  if (configs === undefined) return undefined;
  const metadata = map.mainAlias.metadata;
  const config = configs.byMetadata(metadata);
  const junction = configs.junction(metadata);
  if (config === undefined && junction === undefined) return undefined;
  return { dataSource, metadata, kind: map.queryType as CapturePlan['kind'], config, junction };
}

function captureInsert(
  qb: CapturedBuilder,
  plan: CapturePlan,
  run: () => Promise<unknown>,
): Promise<unknown> {
  if (plan.config !== undefined && isUpsert(qb.expressionMap)) return captureUpsert(qb, plan, run);
  // Plain inserts are logged by the subscriber's afterInsert events; here they only become atomic.
  return inCaptureTransaction(qb, plan.dataSource, () => run());
}

async function captureBulk(
  qb: CapturedBuilder,
  plan: CapturePlan,
  run: () => Promise<unknown>,
): Promise<unknown> {
  // Outside a caller's transaction only: there, rows it queued earlier must keep lower ids than these.
  if (qb.queryRunner?.isTransactionActive !== true && returnsNothingElse(qb)) {
    const oneStatement = usesReturning(qb, plan) ? runWithLogCte : runWithLogBlock;
    const done = await asHandled(qb, () => oneStatement(qb, plan, run));
    if (done !== undefined) return done.result;
  }
  return inCaptureTransaction(qb, plan.dataSource, (runner, ownTransaction) =>
    asHandled(qb, async () => {
      const returning = usesReturning(qb, plan);
      // Its own transaction only: rows logged before a statement that fails are then rolled back with it,
      // and no rows the caller's transaction queued earlier can end up with later ids than these.
      if (!returning && ownTransaction && (await logKeysBySelect(qb, plan, runner))) return await run();
      const { result, rows } = returning
        ? await viaReturning(qb, plan, run)
        : await viaPreSelect(qb, plan, run);
      await queueLogRows(runner, logRowsOf(plan, rows));
      return result;
    }),
  );
}

/** Runs `fn` with the statement's values marked as logged here, so the subscriber's event skips them. */
async function asHandled<T>(qb: CapturedBuilder, fn: () => Promise<T>): Promise<T> {
  const values = qb.expressionMap.valuesSet as object | undefined;
  const marked = typeof values === 'object' && values !== null;
  if (marked) handledByBuilder.add(values);
  try {
    return await fn();
  } finally {
    if (marked) handledByBuilder.delete(values);
  }
}

function columnsToRead(plan: CapturePlan): ColumnMetadata[] {
  if (plan.config === undefined) return [...(plan.junction?.junction.ownerColumns ?? [])];
  const columns = plan.kind === 'delete' ? deleteColumnsOf(plan.config) : [...plan.metadata.primaryColumns];
  const deleteDate = plan.metadata.deleteDateColumn;
  if (plan.kind === 'restore' && deleteDate !== undefined) columns.push(deleteDate);
  return columns;
}

function usesReturning(qb: CapturedBuilder, plan: CapturePlan): boolean {
  // A restore must log only rows that were soft-deleted, which RETURNING cannot tell once they are
  // restored (TypeORM 0.3 does not limit the UPDATE to them); the pre-select reads the column first.
  if (plan.kind === 'restore') return false;
  const type = plan.kind === 'delete' ? 'delete' : 'update';
  return (
    dialectFor(plan.dataSource).supportsReturning &&
    plan.dataSource.driver.isReturningSqlSupported(type) &&
    returnsNothingElse(qb)
  );
}

/** The statement asks for no RETURNING columns and no entities to update from its result. */
function returnsNothingElse(qb: CapturedBuilder): boolean {
  const map = qb.expressionMap;
  return (
    (map.returning === undefined ||
      map.returning === '' ||
      (Array.isArray(map.returning) && map.returning.length === 0)) &&
    map.whereEntities.length === 0
  );
}

/** PostgreSQL: the statement itself returns the rows it touched; the user's `raw` is restored. */
async function viaReturning(qb: CapturedBuilder, plan: CapturePlan, run: () => Promise<unknown>) {
  const e = (name: string) => plan.dataSource.driver.escape(name);
  const map = qb.expressionMap;
  const before = map.returning;
  map.returning = columnsToRead(plan)
    .filter((c) => c !== plan.metadata.deleteDateColumn)
    .map((c) => e(c.databaseName))
    .join(', ');
  let result: { raw: unknown };
  try {
    result = (await run()) as { raw: unknown };
  } finally {
    map.returning = before;
  }
  const rows = Array.isArray(result.raw) ? (result.raw as RawRow[]) : [];
  // Without RETURNING, TypeORM's update/delete result carries no rows.
  result.raw = [];
  return { result, rows };
}

/**
 * SQLite and MySQL: read the matching keys inside the transaction, then run the statement. MySQL
 * reads `FOR UPDATE`, whose next-key locks keep other transactions from adding or changing matching
 * rows until commit; SQLite's single writer cannot commit between the two statements.
 */
async function viaPreSelect(qb: CapturedBuilder, plan: CapturePlan, run: () => Promise<unknown>) {
  const rows = await preSelect(qb, plan);
  const result = await run();
  return { result, rows };
}

async function preSelect(qb: CapturedBuilder, plan: CapturePlan): Promise<RawRow[]> {
  const e = (name: string) => plan.dataSource.driver.escape(name);
  const alias = qb.expressionMap.mainAlias?.name ?? plan.metadata.tableName;
  const columns = columnsToRead(plan);
  const [first, ...rest] = columns;
  if (first === undefined) return [];
  let select = qb.clone().select(`${e(alias)}.${e(first.databaseName)}`, first.databaseName);
  for (const c of rest) select = select.addSelect(`${e(alias)}.${e(c.databaseName)}`, c.databaseName);
  if (plan.kind !== 'soft-delete') select = select.withDeleted();
  if (dialectFor(plan.dataSource).forUpdateSql !== '') select = select.setLock('pessimistic_write');
  const rows = (await select.getRawMany()) as RawRow[];
  const deleteDate = plan.metadata.deleteDateColumn;
  if (plan.kind !== 'restore' || deleteDate === undefined) return rows;
  return rows.filter(
    (row) => row[deleteDate.databaseName] !== null && row[deleteDate.databaseName] !== undefined,
  );
}

function logRowsOf(plan: CapturePlan, rows: readonly RawRow[]): LogRowInput[] {
  const ds = plan.dataSource;
  if (plan.config === undefined) {
    const junction = plan.junction as SynchroJunctionConfig;
    const owners = new Set(rows.map((row) => ownerKeyOfJunctionRaw(ds, junction, row)));
    return [...owners].map((key) => logRow(junction.owner.name, key, 'm2m'));
  }
  const config = plan.config;
  if (plan.kind !== 'delete')
    return rows.map((row) => logRow(config.name, keyOfRaw(ds, plan.metadata, row), 'update'));
  const withNaturalKey = config.naturalKey !== undefined;
  return rows.map((row) =>
    logRow(
      config.name,
      keyOfRaw(ds, plan.metadata, row),
      'delete',
      withNaturalKey ? naturalKeyOfRaw(ds, config, row) : undefined,
    ),
  );
}
