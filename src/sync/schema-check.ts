import type { DataSource, EntityMetadata, QueryRunner, Table } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { synchroConfigOf, type SynchroEntityConfig } from '../capture/entity-config';
import { InvalidEntityConfigError, SchemaMismatchError } from '../core/errors';
import { treeProblem } from './tree-data';

/** A coarse type family; two columns are compatible when their families are. */
type TypeFamily = 'binary' | 'boolean' | 'integer' | 'numeric' | 'temporal' | 'text' | 'unknown';

const FAMILY_PATTERNS: readonly [TypeFamily, RegExp][] = [
  ['binary', /blob|binary|bytea|image/],
  ['boolean', /^(bool|boolean|bit)$/],
  [
    'integer',
    /^(tiny|small|medium|big)?int(eger)?\d*( unsigned)?$|^(small|big)?serial\d*$|^unsigned big int$/,
  ],
  ['numeric', /^(decimal|numeric|dec|fixed|real|money|float\d*|double( precision)?)( unsigned)?$/],
  ['temporal', /date|time|year|interval/],
  ['text', /char|text|clob|string|uuid|enum|^set$|json|xml|inet|cidr|macaddr/],
];

// Pairs that hold the same values across the three databases (booleans as tinyint, dates as text…).
const COMPATIBLE = new Set(['boolean|integer', 'integer|numeric', 'temporal|text']);

/**
 * Checks that the remote can hold every watched entity of the local: the remote DataSource knows the
 * entity, its table exists with every non-skipped column, and each column's type is compatible
 * (integer/int/bigint, varchar/character varying/text, boolean/tinyint, datetime/timestamp(tz),
 * decimal/numeric, json/text and uuid/varchar count as equal). Implicit join tables of watched owners
 * are checked too. Throws {@link SchemaMismatchError} naming the entity, table and column.
 *
 * @example
 * ```ts
 * await checkRemoteSchema(local, remote) // before anything is written
 * ```
 */
export async function checkRemoteSchema(
  local: DataSource,
  remote: DataSource,
  runner?: QueryRunner,
): Promise<void> {
  const checks = synchroConfigOf(local).entities.flatMap((config) => {
    const remoteMeta = remoteEntityOf(remote, config);
    for (const meta of [config.metadata, remoteMeta]) checkTreeKind(config.name, meta);
    const own: TableCheck = {
      entity: config.name,
      localMeta: config.metadata,
      remoteMeta,
      skip: config.skip,
    };
    return [own, ...junctionChecks(config, remoteMeta)];
  });
  const own = runner ?? remote.createQueryRunner();
  try {
    const tables = await remoteTables(
      own,
      checks.map((c) => c.remoteMeta.tablePath),
    );
    for (const check of checks) checkTable(local, check, tables.get(check.remoteMeta.tablePath));
  } finally {
    if (runner === undefined) await own.release();
  }
}

/**
 * Refuses a watched tree whose derived data the synchronizer cannot rebuild on the remote (a nested
 * set, or a closure-table / materialized-path tree without a one-column parent key): its rows would
 * arrive without it, and the remote's tree queries would silently miss or mix nodes.
 */
function checkTreeKind(entity: string, metadata: EntityMetadata): void {
  const problem = treeProblem(metadata);
  if (problem === undefined) return;
  throw new InvalidEntityConfigError(
    `${entity} is ${problem}`,
    { entity },
    "synchronize an adjacency-list tree instead (@Tree('adjacency-list'), or a self-referencing @ManyToOne: the parent is copied as an ordinary foreign key), or stop watching this entity",
  );
}

/** One table to compare: a watched entity's, or an implicit join table of one (compared by column name). */
interface TableCheck {
  readonly entity: string;
  readonly localMeta: EntityMetadata;
  readonly remoteMeta: EntityMetadata;
  readonly skip: ReadonlySet<string>;
  readonly byDatabaseName?: boolean;
}

/**
 * The remote tables by path, read with one `getTables` call (one set of catalogue queries instead of
 * one per table); a path that call does not name back is read alone.
 */
async function remoteTables(runner: QueryRunner, paths: string[]): Promise<Map<string, Table | undefined>> {
  const unique = [...new Set(paths)];
  const parse = (target: Table | string) => {
    const parsed = runner.connection.driver.parseTableName(target);
    return `${parsed.schema ?? ''}\u0000${parsed.tableName}`;
  };
  const byName = new Map((await runner.getTables(unique)).map((t) => [parse(t), t]));
  const out = new Map<string, Table | undefined>();
  for (const path of unique) out.set(path, byName.get(parse(path)) ?? (await runner.getTable(path)));
  return out;
}

/**
 * The remote's metadata for a local watched entity: the remote entity watched under the same name,
 * else the one with the same table name. Throws {@link SchemaMismatchError} when the remote has neither.
 *
 * @example
 * ```ts
 * const remoteMeta = remoteEntityOf(remote, synchroConfigOf(local).byName('order')!)
 * ```
 */
export function remoteEntityOf(remote: DataSource, config: SynchroEntityConfig): EntityMetadata {
  const byName = synchroConfigOf(remote).byName(config.name)?.metadata;
  const byTable = remote.entityMetadatas.find(
    (m) => m.tableName === config.metadata.tableName && !m.isJunction,
  );
  const found = byName ?? byTable;
  if (found !== undefined) return found;
  throw new SchemaMismatchError(
    `The remote DataSource has no entity for ${config.name} (table ${config.metadata.tableName})`,
    { entity: config.name, table: config.metadata.tableName },
    `add ${config.metadata.name} to the remote DataSource's entities`,
  );
}

function junctionChecks(owner: SynchroEntityConfig, remoteOwner: EntityMetadata): TableCheck[] {
  const out: TableCheck[] = [];
  for (const relation of owner.metadata.manyToManyRelations) {
    const junction = relation.junctionEntityMetadata;
    if (!relation.isOwning || junction === undefined) continue;
    const remoteRelation = remoteOwner.manyToManyRelations.find(
      (r) => r.propertyPath === relation.propertyPath,
    );
    const remoteJunction = remoteRelation?.junctionEntityMetadata;
    if (remoteJunction === undefined) {
      throw new SchemaMismatchError(
        `The remote ${remoteOwner.name} has no many-to-many relation ${relation.propertyPath} (join table ${junction.tableName})`,
        { entity: owner.name, table: junction.tableName, column: relation.propertyPath },
      );
    }
    out.push({
      entity: owner.name,
      localMeta: junction,
      remoteMeta: remoteJunction,
      skip: new Set(),
      byDatabaseName: true,
    });
  }
  return out;
}

function checkTable(local: DataSource, check: TableCheck, table: Table | undefined): void {
  const { entity, localMeta, remoteMeta, skip, byDatabaseName } = check;
  if (table === undefined) {
    throw new SchemaMismatchError(`The remote has no table ${remoteMeta.tableName} for ${entity}`, {
      entity,
      table: remoteMeta.tableName,
    });
  }
  for (const column of syncedColumns(localMeta, skip)) {
    const remoteColumn =
      byDatabaseName === true
        ? remoteMeta.columns.find((c) => c.databaseName === column.databaseName)
        : remoteMeta.columns.find((c) => c.propertyPath === column.propertyPath);
    checkColumn(local, entity, table, column, remoteColumn);
  }
}

function syncedColumns(metadata: EntityMetadata, skip: ReadonlySet<string>): ColumnMetadata[] {
  return metadata.columns.filter(
    (c) =>
      !skip.has(c.propertyName) &&
      !c.isVirtual &&
      (c as { isVirtualProperty?: boolean }).isVirtualProperty !== true,
  );
}

function checkColumn(
  local: DataSource,
  entity: string,
  table: Table,
  column: ColumnMetadata,
  remoteColumn: ColumnMetadata | undefined,
): void {
  const name = remoteColumn?.databaseName ?? column.databaseName;
  const found = table.columns.find((c) => c.name === name);
  const subject = { entity, table: table.name, column: column.databaseName };
  if (remoteColumn === undefined || found === undefined) {
    throw new SchemaMismatchError(
      `The remote table ${table.name} has no column ${name} (${entity}.${column.propertyPath})`,
      subject,
    );
  }
  const localType = local.driver.normalizeType(column);
  if (!typesCompatible(localType, found.type)) {
    throw new SchemaMismatchError(
      `${entity}.${column.propertyPath}: local type ${localType} does not fit the remote column ${table.name}.${name} of type ${found.type}`,
      subject,
    );
  }
}

/**
 * Whether a local column type can be written into a remote column type (see {@link checkRemoteSchema}).
 *
 * @example
 * ```ts
 * typesCompatible('integer', 'bigint') // true
 * typesCompatible('integer', 'uuid')   // false
 * ```
 */
export function typesCompatible(localType: string, remoteType: string): boolean {
  const a = familyOf(localType);
  const b = familyOf(remoteType);
  if (a === 'unknown' || b === 'unknown' || a === b) return true;
  return COMPATIBLE.has([a, b].sort().join('|'));
}

function familyOf(type: string): TypeFamily {
  const normalized = type
    .toLowerCase()
    .replace(/\(.*\)/, '')
    .trim();
  return FAMILY_PATTERNS.find(([, pattern]) => pattern.test(normalized))?.[0] ?? 'unknown';
}
