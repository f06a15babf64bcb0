import type { EncodedKey } from '../core/entity-key';
import { ApplyFailedError } from '../core/errors';
import { multiRowInsertSql } from '../dialect/synchro-dialect';
import { generatedRemoteKey } from './counterpart';
import type { EngineContext } from './engine-context';
import type { EntityMapping, ForeignKeyPlan } from './entity-mapping';
import { foreignKeyOf, type RawRow } from './row-reader';
import { chunksOf, tuplesPerStatement } from './sync-sql';
import { keyValues, toRemoteValue } from './value-converter';
import type { WorkItem, WorkSet } from './work-set';

/** @internal The rows of one entity a batch writes: synced objects the local side wins, and missing targets. */
export function rowsToWrite(work: WorkSet, mapping: EntityMapping): WorkItem[] {
  return work
    .of(mapping)
    .filter(
      (i) => i.row !== undefined && (i.mode === 'sync' ? i.decision === 'local' : !i.exists && !i.written),
    );
}

/**
 * @internal Writes the rows of one entity: rows with a known remote key by one multi-row upsert per
 * chunk (skip columns left out, so new rows get the remote default and existing rows keep theirs),
 * rows whose key the remote generates by a multi-row insert that returns the new keys.
 */
export async function writeEntityRows(
  ctx: EngineContext,
  work: WorkSet,
  mapping: EntityMapping,
  rows: WorkItem[],
) {
  const keyed = rows.filter((i) => i.remoteKey !== undefined);
  const generated = rows.filter((i) => i.remoteKey === undefined);
  await upsertRows(ctx, work, mapping, keyed);
  await insertGenerated(ctx, work, mapping, generated);
}

function plainColumns(mapping: EntityMapping) {
  const fkColumns = mapping.foreignKeys.flatMap((fk) => fk.columns.map((c) => c.remote));
  return [...mapping.columns.map((c) => c.remote), ...fkColumns];
}

function rowValues(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, item: WorkItem): unknown[] {
  const row = item.row as RawRow;
  const { local, remote } = ctx.options;
  const values = mapping.columns.map((c) => toRemoteValue(local, remote, c, row[c.local.databaseName]));
  for (const fk of mapping.foreignKeys) values.push(...foreignKeyValues(work, item, fk));
  return values;
}

function foreignKeyValues(work: WorkSet, item: WorkItem, fk: ForeignKeyPlan): unknown[] {
  const nulls = fk.columns.map(() => null);
  const targetKey = foreignKeyOf(fk, item.row as RawRow);
  if (targetKey === undefined) return nulls;
  const target = work.get(fk.target, targetKey);
  const ready = target?.remoteKey !== undefined && (target.exists || target.written);
  if (ready) return fk.columns.map((c) => remoteKeyPart(target?.remoteKey as EncodedKey, c.targetPath));
  if (fk.nullable) {
    // A forward reference (self-reference or cycle): NULL now, the real key in the second pass.
    if (target?.row !== undefined) item.deferred = true;
    return nulls;
  }
  if (target?.remoteKey !== undefined)
    return fk.columns.map((c) => remoteKeyPart(target.remoteKey as EncodedKey, c.targetPath));
  throw new ApplyFailedError(
    {
      entity: item.mapping.name,
      key: JSON.parse(item.key) as Record<string, unknown>,
      column: fk.relation.propertyPath,
    },
    new Error(
      `the ${fk.target.name} row it references cannot be created first (a cycle through a NOT NULL foreign key)`,
    ),
  );
}

function remoteKeyPart(remoteKey: EncodedKey, path: string): string | null {
  return (JSON.parse(remoteKey) as Record<string, string>)[path] ?? null;
}

async function upsertRows(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, items: WorkItem[]) {
  if (items.length === 0) return;
  const side = ctx.remote;
  const keyColumns = mapping.keys.map((k) => side.e(k.remote.databaseName));
  const others = plainColumns(mapping).map((c) => side.e(c.databaseName));
  const columns = [...keyColumns, ...others];
  const suffix = side.dialect.upsertSuffix(keyColumns, others);
  const { local, remote } = ctx.options;
  for (const part of chunksOf(items, tuplesPerStatement(side, columns.length))) {
    const rows = part.map((item) => [
      ...keyValues(local, remote, mapping.keys, item.row as RawRow, item.remoteKey, item.via === 'same-key'),
      ...rowValues(ctx, work, mapping, item),
    ]);
    const sql = multiRowInsertSql(
      side.dialect.placeholder,
      side.e(mapping.remote.tablePath),
      columns,
      rows.length,
    );
    await side.db.query(sql + suffix, rows.flat());
    for (const item of part) item.written = true;
  }
}

async function insertGenerated(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, items: WorkItem[]) {
  if (items.length === 0) return;
  const side = ctx.remote;
  const columns = plainColumns(mapping).map((c) => side.e(c.databaseName));
  const keyColumn = side.e(mapping.generatedKey?.remote.databaseName ?? 'id');
  for (const part of chunksOf(items, tuplesPerStatement(side, columns.length))) {
    const rows = part.map((item) => rowValues(ctx, work, mapping, item));
    const keys = await side.dialect.insertGenerated(
      side.db as never,
      side.e(mapping.remote.tablePath),
      columns,
      rows,
      keyColumn,
    );
    part.forEach((item, i) => {
      Object.assign(item, { remoteKey: generatedRemoteKey(mapping, keys[i]), written: true });
    });
  }
}
