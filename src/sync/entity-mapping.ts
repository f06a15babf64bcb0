import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { synchroConfigOf, type SynchroEntityConfig } from '../capture/entity-config';
import { SchemaMismatchError } from '../core/errors';
import { dialectFor } from '../dialect/dialect-for';

/** @internal A local column and the remote column it is written to. */
export interface ColumnPair {
  readonly local: ColumnMetadata;
  readonly remote: ColumnMetadata;
  /**
   * A value read from the local column is written to the remote one as it is stored. The columns have
   * the same type and neither has a transformer, and either both databases are of a dialect that
   * `SynchroDialect.copiesStoredValues`, or the type is `simple-json`, which every driver stores as
   * JSON text (parsing and stringifying it again would only respace it).
   */
  readonly asStored?: boolean;
}

/** @internal One join column of a foreign key: the local and remote FK columns and the referenced key path. */
export interface FkColumn extends ColumnPair {
  /** Property path of the referenced primary column of the target. */
  readonly targetPath: string;
}

/** @internal A many-to-one / owning one-to-one relation whose FK columns must be mapped to remote keys. */
export interface ForeignKeyPlan {
  readonly relation: RelationMetadata;
  readonly target: EntityMapping;
  readonly columns: readonly FkColumn[];
  readonly nullable: boolean;
}

/** @internal A join-table column: its local and remote names and the referenced key path. */
export interface JunctionColumn {
  readonly local: string;
  readonly remote: string;
  readonly path: string;
}

/** @internal An owning many-to-many relation with its local and remote join tables. */
export interface JunctionPlan {
  readonly relation: RelationMetadata;
  readonly local: EntityMetadata;
  readonly remote: EntityMetadata;
  readonly inverse: EntityMapping;
  /** Join columns → owner key path / inverse key path. */
  readonly ownerColumns: readonly JunctionColumn[];
  readonly inverseColumns: readonly JunctionColumn[];
}

/**
 * @internal How one entity is copied: its name in the log and id map, both metadatas, the plain
 * columns written (skip columns left out), its foreign keys and join tables.
 */
export interface EntityMapping {
  readonly name: string;
  readonly local: EntityMetadata;
  readonly remote: EntityMetadata;
  readonly config: SynchroEntityConfig | undefined;
  readonly watched: boolean;
  /** Primary columns (local/remote pairs). */
  readonly keys: readonly ColumnPair[];
  /** The remote's primary column when the database generates it (auto-increment / identity). */
  readonly generatedKey: ColumnPair | undefined;
  /** Non-key, non-FK columns written. */
  readonly columns: readonly ColumnPair[];
  readonly foreignKeys: ForeignKeyPlan[];
  readonly junctions: JunctionPlan[];
}

/** @internal Builds and caches the entity mappings of one (local, remote) pair for a run. */
export class EntityMappings {
  private readonly byLocal = new Map<EntityMetadata, EntityMapping>();

  constructor(
    readonly local: DataSource,
    readonly remote: DataSource,
  ) {}

  /** The mapping of a watched entity by its logged name, or `undefined`. */
  byName(name: string): EntityMapping | undefined {
    const config = synchroConfigOf(this.local).byName(name);
    return config === undefined ? undefined : this.of(config.metadata);
  }

  /** Every watched entity's mapping. */
  watched(): EntityMapping[] {
    return synchroConfigOf(this.local).entities.map((c) => this.of(c.metadata));
  }

  of(local: EntityMetadata): EntityMapping {
    const cached = this.byLocal.get(local);
    if (cached !== undefined) return cached;
    const mapping = this.build(local);
    this.byLocal.set(local, mapping);
    fillRelations(this, mapping);
    return mapping;
  }

  private build(local: EntityMetadata): EntityMapping {
    const config = synchroConfigOf(this.local).byMetadata(local);
    const name = config?.name ?? local.tableName;
    const remote = remoteMetadataOf(this.remote, name, local);
    const skip = config?.skip ?? new Set<string>();
    const sameStorage = copiesStoredValues(this.local, this.remote);
    const pair = (column: ColumnMetadata): ColumnPair =>
      columnPair(column, remoteColumn(name, remote, column), sameStorage);
    const keys = local.primaryColumns.map(pair);
    const columns = local.columns
      .filter(
        (c) => !c.isPrimary && c.relationMetadata === undefined && isWritable(c) && !skip.has(c.propertyName),
      )
      .map(pair);
    return {
      name,
      local,
      remote,
      config,
      watched: config !== undefined,
      keys,
      generatedKey: generatedKeyOf(keys),
      columns,
      foreignKeys: [],
      junctions: [],
    };
  }
}

/** Values travel between the two DataSources as stored (see `SynchroDialect.copiesStoredValues`). */
function copiesStoredValues(local: DataSource, remote: DataSource): boolean {
  const dialect = dialectFor(local);
  return dialect.copiesStoredValues && dialectFor(remote) === dialect;
}

function columnPair(local: ColumnMetadata, remote: ColumnMetadata, sameStorage: boolean): ColumnPair {
  const plain = local.transformer === undefined && remote.transformer === undefined;
  const sameType = local.type === remote.type;
  return { local, remote, asStored: plain && sameType && (sameStorage || local.type === 'simple-json') };
}

function remoteMetadataOf(remote: DataSource, name: string, local: EntityMetadata): EntityMetadata {
  const found =
    synchroConfigOf(remote).byName(name)?.metadata ??
    remote.entityMetadatas.find((m) => m.target === local.target && !m.isJunction) ??
    remote.entityMetadatas.find((m) => m.tableName === local.tableName && !m.isJunction);
  if (found !== undefined) return found;
  throw new SchemaMismatchError(
    `The remote DataSource has no entity for ${name} (table ${local.tableName})`,
    { entity: name, table: local.tableName },
    `add ${local.name} to the remote DataSource's entities`,
  );
}

function remoteColumn(entity: string, remote: EntityMetadata, column: ColumnMetadata): ColumnMetadata {
  const found =
    remote.columns.find((c) => c.propertyPath === column.propertyPath) ??
    remote.columns.find((c) => c.databaseName === column.databaseName);
  if (found !== undefined) return found;
  throw new SchemaMismatchError(`The remote ${remote.name} has no column ${column.propertyPath}`, {
    entity,
    table: remote.tableName,
    column: column.databaseName,
  });
}

function isWritable(column: ColumnMetadata): boolean {
  const flags = column as ColumnMetadata & { isVirtualProperty?: boolean; generatedType?: string };
  // A single-table-inheritance discriminator is "virtual" to TypeORM, which sets it from the class.
  const stored = !column.isVirtual || column.isDiscriminator;
  return stored && flags.isVirtualProperty !== true && flags.generatedType === undefined;
}

function generatedKeyOf(keys: readonly ColumnPair[]): ColumnPair | undefined {
  if (keys.length !== 1) return undefined;
  const key = keys[0] as ColumnPair;
  const strategy = key.remote.generationStrategy as string | undefined;
  const generated =
    key.remote.isGenerated && (strategy === 'increment' || strategy === 'identity' || strategy === 'rowid');
  return generated ? key : undefined;
}

function fillRelations(mappings: EntityMappings, mapping: EntityMapping): void {
  for (const relation of mapping.local.relations) {
    if ((relation.isManyToOne || relation.isOneToOneOwner) && relation.joinColumns.length > 0) {
      mapping.foreignKeys.push(foreignKeyOf(mappings, mapping, relation));
    }
    if (
      relation.isManyToMany &&
      relation.isOwning &&
      relation.junctionEntityMetadata !== undefined &&
      mapping.watched
    ) {
      mapping.junctions.push(junctionOf(mappings, mapping, relation));
    }
  }
}

function foreignKeyOf(
  mappings: EntityMappings,
  mapping: EntityMapping,
  relation: RelationMetadata,
): ForeignKeyPlan {
  const target = mappings.of(relation.inverseEntityMetadata);
  const columns = relation.joinColumns.map((local) => ({
    local,
    remote: remoteColumn(mapping.name, mapping.remote, local),
    targetPath: local.referencedColumn?.propertyPath ?? '',
  }));
  return {
    relation,
    target,
    columns,
    nullable: relation.isNullable && columns.every((c) => c.remote.isNullable),
  };
}

function junctionOf(
  mappings: EntityMappings,
  mapping: EntityMapping,
  relation: RelationMetadata,
): JunctionPlan {
  const local = relation.junctionEntityMetadata as EntityMetadata;
  const remoteRelation = mapping.remote.manyToManyRelations.find(
    (r) => r.propertyPath === relation.propertyPath,
  );
  const remote = remoteRelation?.junctionEntityMetadata;
  if (remote === undefined) {
    throw new SchemaMismatchError(
      `The remote ${mapping.remote.name} has no many-to-many relation ${relation.propertyPath}`,
      { entity: mapping.name, table: local.tableName, column: relation.propertyPath },
    );
  }
  const side = (columns: ColumnMetadata[], remoteColumns: ColumnMetadata[]): JunctionColumn[] =>
    columns.map((c, i) => ({
      local: c.databaseName,
      remote: remoteColumns[i]?.databaseName ?? c.databaseName,
      path: c.referencedColumn?.propertyPath ?? '',
    }));
  return {
    relation,
    local,
    remote,
    inverse: mappings.of(relation.inverseEntityMetadata),
    ownerColumns: side(local.ownerColumns, remote.ownerColumns),
    inverseColumns: side(local.inverseColumns, remote.inverseColumns),
  };
}
