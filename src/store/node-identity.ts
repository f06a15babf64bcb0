import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { dataSourceOf } from '../core/data-source-of';
import { dialectFor } from '../dialect/dialect-for';
import { SYNCHRO_SCHEMA_VERSION, SYNCHRO_TABLES } from './synchro-tables';

/** A DataSource or an EntityManager (for example one bound to a transaction). */
export type Queryable = DataSource | EntityManager;

/** This database's node identity, or `undefined` when none was assigned yet. */
export async function readNodeId(db: Queryable): Promise<string | undefined> {
  const e = (name: string) => dataSourceOf(db).driver.escape(name);
  const sql = `SELECT ${e('node_id')} AS ${e('nodeId')} FROM ${e(SYNCHRO_TABLES.node)} WHERE ${e('name')} = 'self'`;
  const rows = (await db.query(sql)) as { nodeId: string }[];
  return rows[0]?.nodeId;
}

/** This database's node identity, assigning a new random one on first use. */
export async function ensureNodeId(db: Queryable): Promise<string> {
  const existing = await readNodeId(db);
  if (existing !== undefined) return existing;
  try {
    await writeNodeId(db, randomUUID());
  } catch (error) {
    // A concurrent first use inserted it: read theirs.
    if ((await readNodeId(db)) === undefined) throw error;
  }
  return (await readNodeId(db)) as string;
}

/** @internal Inserts the `self` row with the given identity. */
export async function writeNodeId(db: Queryable, nodeId: string): Promise<void> {
  const e = (name: string) => dataSourceOf(db).driver.escape(name);
  const p = dialectFor(dataSourceOf(db)).placeholder;
  await db.query(
    `INSERT INTO ${e(SYNCHRO_TABLES.node)} (${e('name')}, ${e('node_id')}, ${e('schema_version')}) VALUES ('self', ${p(1)}, ${p(2)})`,
    [nodeId, SYNCHRO_SCHEMA_VERSION],
  );
}
