import type { EncodedKey } from '../core/entity-key';
import { ApplyFailedError } from '../core/errors';
import { derivedRemoteKey, generatedRemoteKey } from './counterpart';
import type { EngineContext } from './engine-context';
import type { EntityMapping, ForeignKeyPlan } from './entity-mapping';
import { foreignKeyOf, type RawRow } from './row-reader';
import { insertChunks } from './insert-chunks';
import { foreignKeyParts, keyValues, toRemoteValue } from './value-converter';
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
  for (const item of rows.filter((i) => i.pendingKey)) {
    item.remoteKey = derivedRemoteKey(work, item);
    item.pendingKey = item.remoteKey === undefined;
  }
  const unresolved = rows.find((i) => i.pendingKey);
  if (unresolved !== undefined) {
    throw new ApplyFailedError(
      { entity: mapping.name, key: JSON.parse(unresolved.key) as Record<string, unknown> },
      new Error('a row its primary key references could not be created first'),
    );
  }
  const keyed = rows.filter((i) => i.remoteKey !== undefined);
  const generated = rows.filter((i) => i.remoteKey === undefined && mapping.generatedKey !== undefined);
  await upsertRows(ctx, work, mapping, keyed);
  await insertGenerated(ctx, work, mapping, generated);
}

function plainColumns(mapping: EntityMapping) {
  // Foreign-key columns that are part of the primary key are written as key columns.
  const fkColumns = mapping.foreignKeys.flatMap((fk) =>
    fk.columns.filter((c) => !c.local.isPrimary).map((c) => c.remote),
  );
  return [...mapping.columns.map((c) => c.remote), ...fkColumns];
}

function rowValues(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, item: WorkItem): unknown[] {
  const row = item.row as RawRow;
  const { local, remote } = ctx.options;
  const values = mapping.columns.map((c) => toRemoteValue(local, remote, c, row[c.local.databaseName]));
  for (const fk of mapping.foreignKeys) {
    const all = foreignKeyValues(work, item, fk);
    values.push(...all.filter((_, i) => fk.columns[i]?.local.isPrimary !== true));
  }
  return values;
}

function foreignKeyValues(work: WorkSet, item: WorkItem, fk: ForeignKeyPlan): unknown[] {
  const nulls = fk.columns.map(() => null);
  const targetKey = foreignKeyOf(fk, item.row as RawRow);
  if (targetKey === undefined) return nulls;
  const target = work.get(fk.target, targetKey);
  const ready = target?.remoteKey !== undefined && (target.exists || target.written);
  if (ready) return foreignKeyParts(fk, target?.remoteKey as EncodedKey);
  if (fk.nullable) {
    // A forward reference (self-reference or cycle): NULL now, the real key in the second pass.
    if (target?.row !== undefined) item.deferred = true;
    return nulls;
  }
  if (target?.remoteKey !== undefined) return foreignKeyParts(fk, target.remoteKey);
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

async function upsertRows(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, items: WorkItem[]) {
  if (items.length === 0) return;
  const side = ctx.remote;
  const keyColumns = mapping.keys.map((k) => k.remote.databaseName);
  const others = plainColumns(mapping).map((c) => c.databaseName);
  const suffix = side.dialect.upsertSuffix(keyColumns.map(side.e), others.map(side.e));
  const { local, remote } = ctx.options;
  const rows = items.map((item) => [
    ...keyValues(
      local,
      remote,
      mapping.keys,
      item.row as RawRow,
      item.remoteKey,
      item.remoteKey === item.key,
    ),
    ...rowValues(ctx, work, mapping, item),
  ]);
  let done = 0;
  for (const insert of await insertChunks(side, mapping.remote.tablePath, [...keyColumns, ...others], rows)) {
    await side.db.query(insert.sql + suffix, insert.params);
    for (const item of items.slice(done, (done += insert.rows.length))) item.written = true;
  }
}

async function insertGenerated(ctx: EngineContext, work: WorkSet, mapping: EntityMapping, items: WorkItem[]) {
  if (items.length === 0) return;
  const side = ctx.remote;
  const columns = plainColumns(mapping).map((c) => c.databaseName);
  const keyColumn = side.e(mapping.generatedKey?.remote.databaseName ?? 'id');
  const rows = items.map((item) => rowValues(ctx, work, mapping, item));
  let done = 0;
  for (const insert of await insertChunks(side, mapping.remote.tablePath, columns, rows)) {
    const keys = await side.dialect.insertGenerated(side.db as never, insert, keyColumn);
    items.slice(done, (done += insert.rows.length)).forEach((item, i) => {
      Object.assign(item, { remoteKey: generatedRemoteKey(mapping, keys[i]), written: true });
    });
  }
}
