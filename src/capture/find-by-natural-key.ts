import {
  Brackets,
  type EntityManager,
  type EntityTarget,
  type ObjectLiteral,
  type WhereExpressionBuilder,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { dataSourceOf } from '../core/data-source-of';
import { InvalidEntityConfigError, InvalidOptionError, MultipleNaturalKeyMatchesError } from '../core/errors';
import { naturalKeyField, type SynchroEntityConfig } from './entity-config';
import { watchedConfigOf } from './watched-config';

/**
 * The row whose natural key (`@NaturalKey` fields, in order) equals `values`, or `null`. A relation
 * field takes the related row's primary value, an id map, its EncodedKey string or the entity.
 * Soft-deleted rows are found too. Throws {@link MultipleNaturalKeyMatchesError} when several rows
 * match, unless the key was declared with `allowMany` (then the first by primary key is returned).
 *
 * @example
 * ```ts
 * const shift = await findByNaturalKey(ds.manager, Shift, [new Date('2026-01-05'), owner])
 * ```
 */
export async function findByNaturalKey<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  values: readonly unknown[],
): Promise<T | null> {
  const { config } = watchedConfigOf(dataSourceOf(manager), entity);
  const fields = naturalKeyFieldsOf(config, values);
  const alias = 'nk';
  const qb = manager
    .createQueryBuilder(config.metadata.target as EntityTarget<T>, alias)
    .withDeleted()
    .where(
      new Brackets((w) => fields.forEach((field, i) => matchField(manager, w, alias, field, values[i], i))),
    );
  for (const pk of config.metadata.primaryColumns) qb.addOrderBy(`${alias}.${pk.propertyPath}`, 'ASC');
  const rows = await qb.clone().limit(2).getMany();
  if (rows.length > 1 && config.naturalKey?.allowMany !== true) {
    const record = Object.fromEntries(config.naturalKey!.fields.map((f, i) => [f, values[i]]));
    throw new MultipleNaturalKeyMatchesError(config.name, record, await qb.getCount());
  }
  return rows[0] ?? null;
}

type Field = { column: ColumnMetadata } | { relation: RelationMetadata };

function naturalKeyFieldsOf(config: SynchroEntityConfig, values: readonly unknown[]): Field[] {
  const names = config.naturalKey?.fields;
  if (names === undefined) {
    throw new InvalidEntityConfigError(
      `${config.name} has no @NaturalKey`,
      { entity: config.name },
      'add @NaturalKey([...fields]) to the entity',
    );
  }
  if (names.length !== values.length) {
    throw new InvalidOptionError(
      'values',
      `${config.name}'s natural key has ${names.length} fields, got ${values.length} values`,
      `pass values for ${names.join(', ')} in that order`,
    );
  }
  return names.map((name) => naturalKeyField(config.metadata, name) as Field);
}

function matchField(
  manager: EntityManager,
  w: WhereExpressionBuilder,
  alias: string,
  field: Field,
  value: unknown,
  i: number,
): void {
  const driver = dataSourceOf(manager).driver;
  const columns = 'column' in field ? [field.column] : field.relation.joinColumns;
  const parts = 'column' in field ? [value] : relatedValues(field.relation, value);
  columns.forEach((column, j) => {
    const path = `${driver.escape(alias)}.${driver.escape(column.databaseName)}`;
    const part = parts[j];
    if (part === null || part === undefined) w.andWhere(`${path} IS NULL`);
    else
      w.andWhere(`${path} = :nk${i}_${j}`, {
        [`nk${i}_${j}`]: driver.preparePersistentValue(part, column) as unknown,
      });
  });
}

/** The values of a relation's join columns for a related entity, id map, EncodedKey or primary value. */
function relatedValues(relation: RelationMetadata, value: unknown): unknown[] {
  if (value === null || value === undefined) return relation.joinColumns.map(() => null);
  const record = typeof value === 'string' && value.startsWith('{') ? tryParseObject(value) : value;
  if (typeof record !== 'object' || record === null || record instanceof Date) return [value];
  return relation.joinColumns.map((jc) => {
    const referenced = jc.referencedColumn;
    if (referenced === undefined) return undefined;
    return (
      referenced.getEntityValue(record as ObjectLiteral) ??
      (record as Record<string, unknown>)[referenced.propertyPath]
    );
  });
}

function tryParseObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
