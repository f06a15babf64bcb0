import { DataSource, EntitySchema, getMetadataArgsStorage, type EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { InvalidEntityConfigError } from '../core/errors';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { METADATA, registry, type EntityTarget, type SynchroOptions } from './decorators';

/** How one watched entity is logged and synchronized. */
export interface SynchroEntityConfig {
  /** The stable name in the log and the id map. */
  readonly name: string;
  readonly metadata: EntityMetadata;
  /** Natural-key fields (property names of columns or many-to-one relations), in order. */
  readonly naturalKey: { readonly fields: readonly string[]; readonly allowMany: boolean } | undefined;
  /** Property names of `@SynchroSkip` columns. */
  readonly skip: ReadonlySet<string>;
}

/** An implicit many-to-many join table whose owning side is watched. */
export interface SynchroJunctionConfig {
  readonly junction: EntityMetadata;
  readonly relation: RelationMetadata;
  /** The watched owning-side entity. */
  readonly owner: SynchroEntityConfig;
}

/** Every watched entity of one DataSource, validated. */
export interface SynchroConfigSet {
  readonly entities: readonly SynchroEntityConfig[];
  byName(name: string): SynchroEntityConfig | undefined;
  byMetadata(metadata: EntityMetadata): SynchroEntityConfig | undefined;
  junction(metadata: EntityMetadata): SynchroJunctionConfig | undefined;
}

const cache = new WeakMap<DataSource, SynchroConfigSet>();

/**
 * The validated synchro configuration of a DataSource (computed once, at `initialize()` when the
 * library is loaded, else on first use). Throws {@link InvalidEntityConfigError} for a misuse.
 */
export function synchroConfigOf(dataSource: DataSource): SynchroConfigSet {
  let set = cache.get(dataSource);
  if (set === undefined) {
    set = buildConfigSet(dataSource);
    cache.set(dataSource, set);
  }
  return set;
}

function buildConfigSet(dataSource: DataSource): SynchroConfigSet {
  checkDecoratedAreEntities(dataSource);
  const entities = dataSource.entityMetadatas
    .map((metadata) => ({ metadata, options: watchOptionsOf(metadata) }))
    .filter((e): e is { metadata: EntityMetadata; options: SynchroOptions } => e.options !== undefined)
    .map(({ metadata, options }) => configOf(metadata, options));
  checkUniqueNames(entities);
  const byName = new Map(entities.map((c) => [c.name, c]));
  const byMetadata = new Map(entities.map((c) => [c.metadata, c]));
  const junctions = junctionsOf(entities);
  return {
    entities,
    byName: (name) => byName.get(name),
    // A single-table-inheritance child is logged and synchronized as its root: they share the table.
    byMetadata: (metadata) => byMetadata.get(metadata) ?? byMetadata.get(inheritanceRootOf(metadata)),
    junction: (metadata) => junctions.get(metadata),
  };
}

function watchOptionsOf(metadata: EntityMetadata): SynchroOptions | undefined {
  if (metadata.isJunction || metadata.tableName.startsWith('synchro_')) return undefined;
  const root = inheritanceRootOf(metadata);
  // The root's metadata has every child's columns: watched, it covers the whole shared table.
  if (root !== metadata && ownWatchOptionsOf(root) !== undefined) return undefined;
  return ownWatchOptionsOf(metadata);
}

/** @internal The root entity of a single-table-inheritance child (the entity itself otherwise). */
export function inheritanceRootOf(metadata: EntityMetadata): EntityMetadata {
  let root = metadata;
  while (root.tableType === 'entity-child' && root.parentEntityMetadata !== undefined)
    root = root.parentEntityMetadata;
  return root;
}

function ownWatchOptionsOf(metadata: EntityMetadata): SynchroOptions | undefined {
  const target = metadata.target;
  if (typeof target === 'function') {
    const decorated = Reflect.getMetadata(METADATA.synchro, target) as SynchroOptions | undefined;
    if (decorated !== undefined) return decorated;
  }
  for (const [entry, options] of registry.registered) {
    if (targetMatches(entry, metadata)) return options;
  }
  return undefined;
}

function targetMatches(entry: EntityTarget, metadata: EntityMetadata): boolean {
  if (typeof entry === 'string') return entry === metadata.name || entry === metadata.tableName;
  if (entry instanceof EntitySchema) return entry.options.name === metadata.name;
  return entry === metadata.target;
}

function configOf(metadata: EntityMetadata, options: SynchroOptions): SynchroEntityConfig {
  checkNotView(metadata);
  const target = metadata.target;
  const nk =
    typeof target === 'function'
      ? (Reflect.getMetadata(METADATA.naturalKey, target) as SynchroEntityConfig['naturalKey'])
      : undefined;
  const skip = new Set(
    typeof target === 'function' ? ((Reflect.getMetadata(METADATA.skip, target) as string[]) ?? []) : [],
  );
  const config: SynchroEntityConfig = {
    name: options.name ?? metadata.tableName,
    metadata,
    naturalKey: nk,
    skip,
  };
  validateNaturalKey(config);
  validateSkip(config);
  return config;
}

/** A view's rows are its query's result: nothing writes them, and no remote table can take them. */
function checkNotView(metadata: EntityMetadata): void {
  if (metadata.tableType !== 'view') return;
  throw new InvalidEntityConfigError(
    `${metadata.name} is a view (@ViewEntity): its rows come from its query, so there are no writes to log or copy`,
    { entity: metadata.name },
    'remove @Synchro from the view and watch the entities of the tables it reads',
  );
}

function validateNaturalKey(config: SynchroEntityConfig): void {
  for (const field of config.naturalKey?.fields ?? []) {
    if (naturalKeyField(config.metadata, field) === undefined) {
      throw new InvalidEntityConfigError(
        `@NaturalKey of ${config.name} names "${field}", which is neither a column nor a many-to-one relation`,
        { entity: config.name, column: field },
        `use property names of ${config.metadata.name}: ${config.metadata.columns.map((c) => c.propertyName).join(', ')}`,
      );
    }
  }
}

/** @internal The column or many-to-one relation a natural-key field names. */
export function naturalKeyField(
  metadata: EntityMetadata,
  field: string,
): { column: ColumnMetadata } | { relation: RelationMetadata } | undefined {
  const relation = metadata.relations.find(
    (r) => r.propertyName === field && (r.isManyToOne || r.isOneToOneOwner),
  );
  if (relation !== undefined) return { relation };
  const column = metadata.columns.find((c) => c.propertyName === field && c.relationMetadata === undefined);
  return column === undefined ? undefined : { column };
}

function validateSkip(config: SynchroEntityConfig): void {
  for (const property of config.skip) {
    const column = config.metadata.columns.find((c) => c.propertyName === property);
    const reason = skipProblem(config, property, column);
    if (reason !== undefined) {
      throw new InvalidEntityConfigError(
        `@SynchroSkip on ${config.name}.${property}: ${reason}`,
        { entity: config.name, column: property },
        'remove @SynchroSkip, or make the column nullable or give it a database default',
      );
    }
  }
}

function skipProblem(
  config: SynchroEntityConfig,
  property: string,
  column: ColumnMetadata | undefined,
): string | undefined {
  if (column === undefined) return 'it is not a column (relations cannot be skipped)';
  if (column.isPrimary) return 'it is a primary-key column';
  if (column.relationMetadata !== undefined || column.referencedColumn !== undefined)
    return 'it is a foreign-key column';
  if (config.naturalKey?.fields.includes(property) === true) return 'it is a natural-key field';
  const hasDefault =
    column.default !== undefined ||
    column.isGenerated ||
    column.isCreateDate ||
    column.isUpdateDate ||
    column.isVersion;
  if (!column.isNullable && !hasDefault)
    return 'it is NOT NULL without a database default, so a new remote row could not be inserted';
  return undefined;
}

function checkUniqueNames(entities: SynchroEntityConfig[]): void {
  const seen = new Map<string, string>();
  for (const config of entities) {
    const other = seen.get(config.name);
    if (other !== undefined) {
      throw new InvalidEntityConfigError(
        `${other} and ${config.metadata.name} are both logged as "${config.name}"`,
        { entity: config.name },
        'give one of them another name with @Synchro({ name })',
      );
    }
    seen.set(config.name, config.metadata.name);
  }
}

function checkDecoratedAreEntities(dataSource: DataSource): void {
  const entityTargets = new Set<unknown>(getMetadataArgsStorage().tables.map((t) => t.target));
  for (const m of dataSource.entityMetadatas) entityTargets.add(m.target);
  const suspects = [
    ...registry.decorated,
    ...[...registry.registered.keys()].filter((k) => typeof k === 'function'),
  ];
  for (const target of suspects) {
    if (entityTargets.has(target)) continue;
    const name = (target as { name?: string }).name ?? String(target);
    throw new InvalidEntityConfigError(
      `${name} is marked for typeorm-synchro (@Synchro, @NaturalKey or registerSynchro) but is not an entity`,
      { entity: name },
      'add @Entity() to the class, or remove the typeorm-synchro decorator / registration',
    );
  }
}

function junctionsOf(entities: SynchroEntityConfig[]): Map<EntityMetadata, SynchroJunctionConfig> {
  const junctions = new Map<EntityMetadata, SynchroJunctionConfig>();
  for (const owner of entities) {
    for (const relation of owner.metadata.manyToManyRelations) {
      if (relation.isOwning && relation.junctionEntityMetadata !== undefined) {
        junctions.set(relation.junctionEntityMetadata, {
          junction: relation.junctionEntityMetadata,
          relation,
          owner,
        });
      }
    }
  }
  return junctions;
}

/** @internal Whether a DataSource uses typeorm-synchro (has its tables). */
export function usesSynchro(dataSource: DataSource): boolean {
  return dataSource.entityMetadatas.some((m) => m.tableName === SYNCHRO_TABLES.log);
}

const HOOKED = Symbol.for('typeorm-synchro:initialize-hook');

/**
 * Validates the synchro configuration inside `DataSource.initialize()`, right after TypeORM builds its
 * metadata, so misuse fails at startup (TypeORM then closes the DataSource). Idempotent.
 * @internal
 */
export function installInitializeValidation(): void {
  const proto = DataSource.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[HOOKED] === true) return;
  const original = proto.buildMetadatas as (this: DataSource) => Promise<void>;
  proto.buildMetadatas = async function buildMetadatas(this: DataSource): Promise<void> {
    await original.call(this);
    cache.delete(this);
    if (usesSynchro(this)) synchroConfigOf(this);
  };
  proto[HOOKED] = true;
}

installInitializeValidation();
