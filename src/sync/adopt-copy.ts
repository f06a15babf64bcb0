import { randomUUID } from 'node:crypto';
import type { DataSource, EntityMetadata, QueryRunner } from 'typeorm';
import { synchroConfigOf } from '../capture/entity-config';
import { dataSourceOf } from '../core/data-source-of';
import { withTransactionMutex } from '../capture/transaction-mutex';
import { keyOfRawRow, keyValueToString } from '../core/entity-key';
import { dialectFor } from '../dialect/dialect-for';
import { writeNodeId } from '../store/node-identity';
import { SYNCHRO_TABLES } from '../store/synchro-tables';
import { withAdminPair } from './admin-pair';
import { writeCursor } from './cursor-store';
import { writeLocalIdMap, writeRemoteIdMap, type IdMapSides, type KeyPair } from './id-map-store';
import { readLocalHighWaterMark } from './run-session';
import { SYNC_DEFAULTS } from './sync-options';
import { sideSql } from './sync-sql';

/** What {@link adoptCopy} did. */
export interface AdoptCopyResult {
  /** The copy's new node identity. */
  nodeId: string;
  /** Per entity: rows found on both sides with the same primary key, now recorded as counterparts. */
  matched: Record<string, number>;
}

/** A watched entity present on both sides. */
interface EntityPair {
  name: string;
  local: EntityMetadata;
  remote: EntityMetadata;
}

const PAGE = 500;

/**
 * Makes `local`, restored from a dump of `remote` (django-synchro's Example 1), a peer of its own: it gets a
 * new node identity; rows with equal primary keys on both sides are recorded as counterparts in both
 * databases' id maps, for every entity watched on either side; its log is cleared; and the
 * checkpoints of both directions are set to now. Syncing either way afterwards duplicates nothing.
 *
 * @example
 * ```ts
 * // office was restored from last night's production dump
 * await adoptCopy(office, production)
 * await synchronize({ local: office, remote: production })
 * ```
 */
export async function adoptCopy(local: DataSource, remote: DataSource): Promise<AdoptCopyResult> {
  return withAdminPair(local, remote, { sameNodeAllowed: true }, async ({ remoteNode, remoteRunner }) => {
    const nodeId = randomUUID();
    const localHwm = await readLocalHighWaterMark(local, SYNC_DEFAULTS.lockTimeoutMs);
    const remoteHwm = await readLocalHighWaterMark(remote, SYNC_DEFAULTS.lockTimeoutMs);
    const ids = { nodeId, remoteNode, localHwm, remoteHwm };
    const pairs = entityPairs(local, remote);
    // Single-connection databases: keep application transactions out of ours.
    return withTransactionMutex(remote, () =>
      withTransactionMutex(local, () => adoptInTransactions(local, remoteRunner, pairs, ids)),
    );
  });
}

interface AdoptIds {
  nodeId: string;
  remoteNode: string;
  localHwm: string;
  remoteHwm: string;
}

async function adoptInTransactions(
  local: DataSource,
  remoteRunner: QueryRunner,
  pairs: EntityPair[],
  ids: AdoptIds,
): Promise<AdoptCopyResult> {
  const localRunner = local.createQueryRunner();
  try {
    await remoteRunner.startTransaction();
    await localRunner.startTransaction();
    const matched = await matchAll(pairs, localRunner, remoteRunner, ids.nodeId, ids.remoteNode);
    await writeCursor(remoteRunner, ids.nodeId, 'in', ids.localHwm);
    await writeCursor(remoteRunner, ids.nodeId, 'out', ids.remoteHwm);
    await adoptLocally(localRunner, ids);
    // Remote first: if the local commit then fails, the remote only holds rows for an unused identity.
    await remoteRunner.commitTransaction();
    await localRunner.commitTransaction();
    return { nodeId: ids.nodeId, matched };
  } catch (error) {
    await rollback(remoteRunner);
    await rollback(localRunner);
    throw error;
  } finally {
    await localRunner.release();
  }
}

async function rollback(runner: QueryRunner): Promise<void> {
  if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
}

async function adoptLocally(runner: QueryRunner, ids: AdoptIds): Promise<void> {
  const ds = dataSourceOf(runner);
  const e = (name: string) => ds.driver.escape(name);
  const p = dialectFor(ds).placeholder;
  await runner.query(`DELETE FROM ${e(SYNCHRO_TABLES.log)} WHERE ${e('id')} <= ${p(1)}`, [ids.localHwm]);
  await runner.query(`DELETE FROM ${e(SYNCHRO_TABLES.node)} WHERE ${e('name')} = 'self'`);
  await writeNodeId(runner.manager, ids.nodeId);
  await writeCursor(runner, ids.remoteNode, 'out', ids.localHwm);
  await writeCursor(runner, ids.remoteNode, 'in', ids.remoteHwm);
}

function entityPairs(local: DataSource, remote: DataSource): EntityPair[] {
  const pairs = new Map<string, EntityPair>();
  for (const config of synchroConfigOf(local).entities) {
    const other = counterpartMetadata(remote, config.name, config.metadata);
    if (other !== undefined)
      pairs.set(config.name, { name: config.name, local: config.metadata, remote: other });
  }
  for (const config of synchroConfigOf(remote).entities) {
    const other = counterpartMetadata(local, config.name, config.metadata);
    if (other !== undefined && !pairs.has(config.name)) {
      pairs.set(config.name, { name: config.name, local: other, remote: config.metadata });
    }
  }
  return [...pairs.values()];
}

function counterpartMetadata(
  ds: DataSource,
  name: string,
  metadata: EntityMetadata,
): EntityMetadata | undefined {
  return (
    synchroConfigOf(ds).byName(name)?.metadata ??
    ds.entityMetadatas.find((m) => m.tableName === metadata.tableName && !m.isJunction)
  );
}

async function matchAll(
  pairs: EntityPair[],
  localRunner: QueryRunner,
  remoteRunner: QueryRunner,
  nodeId: string,
  remoteNode: string,
): Promise<Record<string, number>> {
  const sides = idMapSides(localRunner, remoteRunner, nodeId, remoteNode);
  const matched: Record<string, number> = {};
  for (const pair of pairs) {
    let count = 0;
    for (let offset = 0; ; offset += PAGE) {
      const localRows = await pageOfKeys(localRunner, pair.local, offset);
      const found = await matchPage(pair, localRows, remoteRunner);
      await writeLocalIdMap(sides, pair.name, found);
      await writeRemoteIdMap(sides, pair.name, found, []);
      count += found.length;
      if (localRows.length < PAGE) break;
    }
    matched[pair.name] = count;
  }
  return matched;
}

/** Both id maps, written through the two adopt transactions; the copy is the local node. */
function idMapSides(
  localRunner: QueryRunner,
  remoteRunner: QueryRunner,
  nodeId: string,
  remoteNode: string,
): IdMapSides {
  return {
    local: sideSql(dataSourceOf(localRunner), localRunner),
    remote: sideSql(dataSourceOf(remoteRunner), remoteRunner),
    localNode: nodeId,
    remoteNode,
  };
}

async function pageOfKeys(
  runner: QueryRunner,
  meta: EntityMetadata,
  offset: number,
): Promise<Record<string, unknown>[]> {
  const ds = dataSourceOf(runner);
  const e = (name: string) => ds.driver.escape(name);
  const p = dialectFor(ds).placeholder;
  const columns = meta.primaryColumns.map((c) => e(c.databaseName)).join(', ');
  return (await runner.query(
    `SELECT ${columns} FROM ${sideSql(ds).t(meta.tablePath)} ORDER BY ${columns} LIMIT ${p(1)} OFFSET ${p(2)}`,
    [PAGE, offset],
  )) as Record<string, unknown>[];
}

/** The counterpart pairs of the local rows whose primary key exists on the remote. */
async function matchPage(
  pair: EntityPair,
  localRows: Record<string, unknown>[],
  runner: QueryRunner,
): Promise<KeyPair[]> {
  if (localRows.length === 0) return [];
  const remoteColumns = pair.local.primaryColumns.map(
    (c) => pair.remote.primaryColumns.find((r) => r.propertyPath === c.propertyPath) ?? c,
  );
  const ds = dataSourceOf(runner);
  const e = (name: string) => ds.driver.escape(name);
  const p = dialectFor(ds).placeholder;
  const width = remoteColumns.length;
  const tuple = (r: number) =>
    remoteColumns.map((c, i) => `${e(c.databaseName)} = ${p(r * width + i + 1)}`).join(' AND ');
  const where = localRows.map((_, r) => `(${tuple(r)})`).join(' OR ');
  const params = localRows.flatMap((row) => pair.local.primaryColumns.map((c) => row[c.databaseName]));
  const select = remoteColumns.map((c) => e(c.databaseName)).join(', ');
  const remoteRows = (await runner.query(
    `SELECT ${select} FROM ${sideSql(ds).t(pair.remote.tablePath)} WHERE ${where}`,
    params,
  )) as Record<string, unknown>[];
  const bySignature = new Map(
    remoteRows.map((row) => [signature(remoteColumns.map((c) => row[c.databaseName])), row]),
  );
  return localRows.flatMap((row): KeyPair[] => {
    const remoteRow = bySignature.get(signature(pair.local.primaryColumns.map((c) => row[c.databaseName])));
    return remoteRow === undefined
      ? []
      : [{ localKey: keyOfRawRow(pair.local, row), remoteKey: keyOfRawRow(pair.remote, remoteRow) }];
  });
}

function signature(values: unknown[]): string {
  return JSON.stringify(values.map(keyValueToString));
}
