import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import type { ChangeAction } from '../core/change-action';
import { encodeKey, keyOfEntity, type EncodedKey } from '../core/entity-key';
import { encodeTyped } from '../core/typed-json';
import { naturalKeyField, type SynchroEntityConfig, type SynchroJunctionConfig } from './entity-config';
import type { LogRowInput } from './log-writer';

/** A row read back by the library: column database name → driver value. @internal */
export type RawRow = Record<string, unknown>;

/** The encoded key of an event's entity id (a mixed id map or a single primitive). @internal */
export function keyOfEntityId(metadata: EntityMetadata, entityId: unknown): EncodedKey | undefined {
  if (entityId === undefined || entityId === null) return undefined;
  if (typeof entityId === 'object' && !(entityId instanceof Date) && !Buffer.isBuffer(entityId)) {
    return keyOfEntity(metadata, entityId);
  }
  const [only, ...rest] = metadata.primaryColumns;
  return only === undefined || rest.length > 0 ? undefined : encodeKey({ [only.propertyPath]: entityId });
}

/** The first key that can be taken from an event's id, previous row or entity. @internal */
export function keyOfSources(metadata: EntityMetadata, sources: readonly unknown[]): EncodedKey | undefined {
  for (const source of sources) {
    if (source === undefined || source === null) continue;
    const key = typeof source === 'object' ? keyOfEntity(metadata, source) : keyOfEntityId(metadata, source);
    if (key !== undefined) return key;
  }
  return undefined;
}

/** A log row. @internal */
export function logRow(
  entity: string,
  key: EncodedKey,
  action: ChangeAction,
  naturalKey?: string,
): LogRowInput {
  return { entity, key, action, naturalKey: naturalKey ?? 'null' };
}

/** The typed-JSON natural key of an entity object, or `undefined` when a field is not loaded. @internal */
export function naturalKeyOfEntity(config: SynchroEntityConfig, entity: object): string | undefined {
  const values: unknown[] = [];
  for (const field of config.naturalKey?.fields ?? []) {
    const value = fieldValueOfEntity(config.metadata, field, entity);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return encodeTyped(values);
}

function fieldValueOfEntity(metadata: EntityMetadata, field: string, entity: object): unknown {
  const target = naturalKeyField(metadata, field);
  if (target === undefined) return undefined;
  if ('column' in target) return target.column.getEntityValue(entity as never);
  const related = (entity as Record<string, unknown>)[target.relation.propertyName];
  if (related === null) return null;
  const values = target.relation.joinColumns.map((c) => c.getEntityValue(entity as never) as unknown);
  if (values.some((v) => v === undefined)) return undefined;
  return relatedKey(target.relation, target.relation.joinColumns, values);
}

/** The related row's EncodedKey from the values of the relation's join columns (null when unset). */
function relatedKey(
  relation: RelationMetadata,
  joinColumns: readonly ColumnMetadata[],
  values: unknown[],
): unknown {
  if (values.every((v) => v === null || v === undefined)) return null;
  const record: Record<string, unknown> = {};
  for (const pk of relation.inverseEntityMetadata.primaryColumns) {
    const index = joinColumns.findIndex((c) => c.referencedColumn?.propertyPath === pk.propertyPath);
    record[pk.propertyPath] = index >= 0 ? values[index] : undefined;
  }
  return encodeKey(record);
}

/** The database columns to read back for a delete: the primary key, then the natural-key columns. @internal */
export function deleteColumnsOf(config: SynchroEntityConfig): ColumnMetadata[] {
  const columns = [...config.metadata.primaryColumns];
  for (const field of config.naturalKey?.fields ?? []) {
    const target = naturalKeyField(config.metadata, field);
    const more =
      target === undefined ? [] : 'column' in target ? [target.column] : target.relation.joinColumns;
    for (const column of more) if (!columns.includes(column)) columns.push(column);
  }
  return columns;
}

/** Hydrates a raw value the way TypeORM does when it loads an entity. @internal */
export function hydrate(dataSource: DataSource, column: ColumnMetadata, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  return dataSource.driver.prepareHydratedValue(value, column) as unknown;
}

/** The encoded primary key of a raw row (read by column database name). @internal */
export function keyOfRaw(dataSource: DataSource, metadata: EntityMetadata, row: RawRow): EncodedKey {
  const record: Record<string, unknown> = {};
  for (const column of metadata.primaryColumns) {
    record[column.propertyPath] = hydrate(dataSource, column, row[column.databaseName]);
  }
  return encodeKey(record);
}

/** The typed-JSON natural key of a raw row read with {@link deleteColumnsOf}. @internal */
export function naturalKeyOfRaw(dataSource: DataSource, config: SynchroEntityConfig, row: RawRow): string {
  const values = (config.naturalKey?.fields ?? []).map((field) => {
    const target = naturalKeyField(config.metadata, field);
    if (target === undefined) return null;
    if ('column' in target)
      return hydrate(dataSource, target.column, row[target.column.databaseName]) ?? null;
    const joins = target.relation.joinColumns;
    return relatedKey(
      target.relation,
      joins,
      joins.map((c) => hydrate(dataSource, c, row[c.databaseName])),
    );
  });
  return encodeTyped(values);
}

/** The owning-side object's key of a junction row given by junction property names. @internal */
export function ownerKeyOfJunctionValues(
  junction: SynchroJunctionConfig,
  values: object,
): EncodedKey | undefined {
  const record: Record<string, unknown> = {};
  for (const pk of junction.owner.metadata.primaryColumns) {
    const column = junction.junction.ownerColumns.find(
      (c) => c.referencedColumn?.propertyPath === pk.propertyPath,
    );
    const value = column === undefined ? undefined : (values as Record<string, unknown>)[column.propertyName];
    if (value === undefined || value === null) return undefined;
    record[pk.propertyPath] = value;
  }
  return encodeKey(record);
}

/** The owning-side object's key of a raw junction row. @internal */
export function ownerKeyOfJunctionRaw(
  dataSource: DataSource,
  junction: SynchroJunctionConfig,
  row: RawRow,
): EncodedKey {
  const values: Record<string, unknown> = {};
  for (const column of junction.junction.ownerColumns) {
    values[column.propertyName] = hydrate(dataSource, column, row[column.databaseName]);
  }
  return ownerKeyOfJunctionValues(junction, values) ?? '{}';
}
