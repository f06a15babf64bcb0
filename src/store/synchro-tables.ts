import { EntitySchema } from 'typeorm';

/** The version of the library's table layout; a later migration upgrades tables in place. */
export const SYNCHRO_SCHEMA_VERSION = 1;

/** Table names of the library's own tables. */
export const SYNCHRO_TABLES = {
  node: 'synchro_node',
  log: 'synchro_log',
  idMap: 'synchro_id_map',
  cursor: 'synchro_cursor',
  retry: 'synchro_retry',
  lease: 'synchro_lease',
} as const;

const KEY_LENGTH = 600;
const ENTITY_LENGTH = 100;
const NODE_LENGTH = 36;

/** One row, `name = 'self'`: this database's node identity and the schema version of these tables. */
export const SynchroNodeSchema = new EntitySchema<{ name: string; nodeId: string; schemaVersion: number }>({
  name: 'SynchroNode',
  tableName: SYNCHRO_TABLES.node,
  columns: {
    name: { type: 'varchar', length: 16, primary: true },
    nodeId: { name: 'node_id', type: 'varchar', length: NODE_LENGTH },
    schemaVersion: { name: 'schema_version', type: 'int' },
  },
});

/** @internal The log's (entity, object_key, id) index, which per-object lookups must use. */
export const LOG_OBJECT_INDEX = 'IX_synchro_log_object';

/**
 * The change log: one row per changed object, in commit order of its id. `at_ms` is the database server's
 * clock (UTC epoch ms); `natural_key` is typed JSON (`null` when the entity has none or it is not a delete).
 */
export const SynchroLogSchema = new EntitySchema<{
  id: string;
  entity: string;
  objectKey: string;
  action: string;
  atMs: string;
  naturalKey: string;
}>({
  name: 'SynchroLog',
  tableName: SYNCHRO_TABLES.log,
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    entity: { type: 'varchar', length: ENTITY_LENGTH },
    objectKey: { name: 'object_key', type: 'varchar', length: KEY_LENGTH },
    action: { type: 'varchar', length: 8 },
    atMs: { name: 'at_ms', type: 'bigint' },
    naturalKey: { name: 'natural_key', type: 'text' },
  },
  indices: [{ name: LOG_OBJECT_INDEX, columns: ['entity', 'objectKey', 'id'] }],
});

/** Counterparts: this database's row `local_key` is the row `peer_key` on node `peer`. */
export const SynchroIdMapSchema = new EntitySchema<{
  peer: string;
  entity: string;
  localKey: string;
  peerKey: string;
}>({
  name: 'SynchroIdMap',
  tableName: SYNCHRO_TABLES.idMap,
  columns: {
    peer: { type: 'varchar', length: NODE_LENGTH, primary: true },
    entity: { type: 'varchar', length: ENTITY_LENGTH, primary: true },
    localKey: { name: 'local_key', type: 'varchar', length: KEY_LENGTH, primary: true },
    peerKey: { name: 'peer_key', type: 'varchar', length: KEY_LENGTH },
  },
  indices: [{ name: 'IX_synchro_id_map_peer_key', columns: ['peer', 'entity', 'peerKey'] }],
});

/**
 * Delivery cursors over a peer's log. `direction = 'in'` (on a remote): the peer's log is applied here
 * up to `log_id` (authoritative, written with the data). `'out'` (on a local): the mirror of what
 * was delivered to the peer, for status and pruning; it may lag, never lead.
 */
export const SynchroCursorSchema = new EntitySchema<{
  peer: string;
  direction: string;
  logId: string;
  atMs: string;
}>({
  name: 'SynchroCursor',
  tableName: SYNCHRO_TABLES.cursor,
  columns: {
    peer: { type: 'varchar', length: NODE_LENGTH, primary: true },
    direction: { type: 'varchar', length: 8, primary: true },
    logId: { name: 'log_id', type: 'bigint' },
    atMs: { name: 'at_ms', type: 'bigint' },
  },
});

/** Objects from `peer` skipped under `onError: 'skip'`, retried by the next run (kept on the remote). */
export const SynchroRetrySchema = new EntitySchema<{
  peer: string;
  entity: string;
  objectKey: string;
  reason: string;
  code: string;
  atMs: string;
}>({
  name: 'SynchroRetry',
  tableName: SYNCHRO_TABLES.retry,
  columns: {
    peer: { type: 'varchar', length: NODE_LENGTH, primary: true },
    entity: { type: 'varchar', length: ENTITY_LENGTH, primary: true },
    objectKey: { name: 'object_key', type: 'varchar', length: KEY_LENGTH, primary: true },
    reason: { type: 'text' },
    code: { type: 'varchar', length: 40 },
    atMs: { name: 'at_ms', type: 'bigint' },
  },
});

/** The expiring run lease used where the database has no advisory locks (SQLite). */
export const SynchroLeaseSchema = new EntitySchema<{ name: string; owner: string; expiresAt: string }>({
  name: 'SynchroLease',
  tableName: SYNCHRO_TABLES.lease,
  columns: {
    name: { type: 'varchar', length: 32, primary: true },
    owner: { type: 'varchar', length: NODE_LENGTH },
    expiresAt: { name: 'expires_at', type: 'bigint' },
  },
});
