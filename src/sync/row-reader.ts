import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import {
  keyValueOf,
  encodeKey,
  encodeSingleKey,
  keyOfRawRow,
  keyValueToString,
  type EncodedKey,
} from '../core/entity-key';
import type { EntityMapping, ForeignKeyPlan } from './entity-mapping';
import { chunksOf, queryRows, tupleCondition, tuplesPerCondition, type SideSql } from './sync-sql';

/** @internal A raw row (properties are database column names). */
export type RawRow = Record<string, unknown>;

/** @internal Every local column a copy reads: keys, plain columns and FK columns. */
export function readColumns(mapping: EntityMapping): ColumnMetadata[] {
  const fks = mapping.foreignKeys.flatMap((fk) => fk.columns.map((c) => c.local));
  const all = [...mapping.keys.map((k) => k.local), ...mapping.columns.map((c) => c.local), ...fks];
  return [...new Map(all.map((c) => [c.databaseName, c])).values()];
}

function selectList(side: SideSql, columns: readonly ColumnMetadata[]): string {
  return columns
    .map(
      (c) =>
        `${side.dialect.readColumnSql(side.e(c.databaseName), String(c.type))} AS ${side.e(c.databaseName)}`,
    )
    .join(', ');
}

/** @internal The key tuples (in primary-column order) of encoded keys. */
export function keyTuples(columns: readonly ColumnMetadata[], keys: readonly EncodedKey[]): string[][] {
  return keys.map((key) => columns.map((c) => keyValueOf(key, c.propertyPath) ?? ''));
}

/** @internal Reads the local rows of `keys`; absent keys are absent from the map. */
export async function readLocalRows(
  side: SideSql,
  mapping: EntityMapping,
  keys: readonly EncodedKey[],
): Promise<Map<EncodedKey, RawRow>> {
  const out = new Map<EncodedKey, RawRow>();
  const keyColumns = mapping.local.primaryColumns;
  const escaped = keyColumns.map((c) => side.e(c.databaseName));
  const select = `SELECT ${selectList(side, readColumns(mapping))} FROM ${side.t(mapping.local.tablePath)}`;
  for (const part of chunksOf(keys, tuplesPerCondition(side, escaped.length))) {
    const where = tupleCondition(side, escaped, keyTuples(keyColumns, part));
    const rows = await queryRows<RawRow>(side, `${select} WHERE ${where.sql}`, where.params);
    for (const row of rows) out.set(keyOfRawRow(mapping.local, row), row);
  }
  return out;
}

/**
 * @internal One page of every local row of an entity, in primary-key order (for `full: true`). With a
 * single-column key the page starts after `lastRow` (keyset paging: each page costs the same however
 * deep it is); composite keys page by offset.
 */
export async function readLocalPage(
  side: SideSql,
  mapping: EntityMapping,
  offset: number,
  limit: number,
  lastRow?: RawRow,
): Promise<Map<EncodedKey, RawRow>> {
  const keys = mapping.local.primaryColumns;
  const order = keys.map((c) => side.e(c.databaseName)).join(', ');
  const keyset = keys.length === 1 && lastRow !== undefined;
  const where = keyset ? ` WHERE ${order} > ${side.dialect.placeholder(1)}` : '';
  const page = keyset
    ? `LIMIT ${Math.floor(limit)}`
    : `LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`;
  const sql = `SELECT ${selectList(side, readColumns(mapping))} FROM ${side.t(mapping.local.tablePath)}${where} ORDER BY ${order} ${page}`;
  const params = keyset ? [lastRow[keys[0]?.databaseName ?? '']] : [];
  const rows = await queryRows<RawRow>(side, sql, params);
  return new Map(rows.map((row) => [keyOfRawRow(mapping.local, row), row]));
}

/** @internal The local key of the row a foreign key points at, or `undefined` when it is NULL. */
export function foreignKeyOf(fk: ForeignKeyPlan, row: RawRow): EncodedKey | undefined {
  const [only, second] = fk.columns;
  const [targetKey, otherKey] = fk.target.keys;
  // The common case: one column referencing a one-column primary key.
  if (
    only !== undefined &&
    second === undefined &&
    otherKey === undefined &&
    only.targetPath === targetKey?.local.propertyPath
  ) {
    const value = row[only.local.databaseName];
    return value === null || value === undefined ? undefined : encodeSingleKey(only.targetPath, value);
  }
  const record: Record<string, string> = {};
  for (const key of fk.target.keys) {
    const column = fk.columns.find((c) => c.targetPath === key.local.propertyPath);
    const value = column === undefined ? undefined : row[column.local.databaseName];
    if (value === null || value === undefined) return undefined;
    record[key.local.propertyPath] = keyValueToString(value);
  }
  return encodeKey(record);
}
