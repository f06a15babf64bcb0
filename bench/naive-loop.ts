import type { DataSource, EntityManager, ObjectLiteral } from 'typeorm';
import { runInNoLogContext } from '../src/capture/no-log-context';
import { ensureNodeId } from '../src/store/node-identity';
import { SYNCHRO_TABLES } from '../src/store/synchro-tables';
import { dialectFor } from '../src/dialect/dialect-for';
import { BenchItem, BenchParent, BenchTag } from './bench-entities';

interface Ctx {
  local: DataSource;
  manager: EntityManager;
  localNode: string;
  e(name: string): string;
  p(index: number): string;
}

interface LoggedObject {
  entity: string;
  id: string;
}

/**
 * The naive loop, object by object as django-synchro does it: for every logged object (collapsed, in
 * log order) look up the id map, load the local object with its relations, resolve each related
 * object the same way (creating it remotely when missing), save with TypeORM, write the id map. One
 * remote transaction, no remote logging (the same no-log context the engine uses).
 */
export async function naiveSync(local: DataSource, remote: DataSource, limit: number): Promise<number> {
  const objects = await loggedObjects(local, limit);
  const localNode = await ensureNodeId(local);
  await ensureNodeId(remote);
  const dialect = dialectFor(remote);
  await runInNoLogContext(() =>
    remote.transaction(async (manager) => {
      const ctx: Ctx = {
        local,
        manager,
        localNode,
        e: (n) => remote.driver.escape(n),
        p: dialect.placeholder,
      };
      for (const object of objects) await syncObject(ctx, object);
    }),
  );
  return objects.length;
}

async function loggedObjects(local: DataSource, limit: number): Promise<LoggedObject[]> {
  const e = (n: string) => local.driver.escape(n);
  const rows = (await local.query(
    `SELECT ${e('entity')} AS ${e('entity')}, ${e('object_key')} AS ${e('key')} FROM ${e(SYNCHRO_TABLES.log)} ORDER BY ${e('id')}`,
  )) as { entity: string; key: string }[];
  const seen = new Map<string, LoggedObject>();
  for (const row of rows) {
    const id = (JSON.parse(row.key) as { id: string }).id;
    seen.delete(`${row.entity}:${id}`);
    seen.set(`${row.entity}:${id}`, { entity: row.entity, id });
  }
  const all = [...seen.values()];
  const items = all.filter((o) => o.entity === 'bench_item').slice(0, limit);
  return [...all.filter((o) => o.entity !== 'bench_item'), ...items];
}

async function syncObject(ctx: Ctx, object: LoggedObject): Promise<void> {
  if (object.entity === 'bench_item') await syncItem(ctx, object.id);
  else
    await syncSimple(ctx, object.entity === 'bench_tag' ? BenchTag : BenchParent, object.entity, object.id);
}

async function mappedId(ctx: Ctx, entity: string, localId: string): Promise<string | undefined> {
  const { e, p } = ctx;
  const rows = (await ctx.manager.query(
    `SELECT ${e('local_key')} AS ${e('k')} FROM ${e(SYNCHRO_TABLES.idMap)} WHERE ${e('peer')} = ${p(1)} AND ${e('entity')} = ${p(2)} AND ${e('peer_key')} = ${p(3)}`,
    [ctx.localNode, entity, JSON.stringify({ id: localId })],
  )) as { k: string }[];
  return rows[0] === undefined ? undefined : (JSON.parse(rows[0].k) as { id: string }).id;
}

async function writeMap(ctx: Ctx, entity: string, remoteId: unknown, localId: string): Promise<void> {
  const { e, p } = ctx;
  await ctx.manager.query(
    `INSERT INTO ${e(SYNCHRO_TABLES.idMap)} (${e('peer')}, ${e('entity')}, ${e('local_key')}, ${e('peer_key')}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`,
    [ctx.localNode, entity, JSON.stringify({ id: String(remoteId) }), JSON.stringify({ id: localId })],
  );
}

/** A parent or tag: copy its columns, creating it (and its id-map row) when the remote lacks it. */
async function syncSimple(
  ctx: Ctx,
  target: typeof BenchParent | typeof BenchTag,
  entity: string,
  localId: string,
): Promise<string | undefined> {
  const source = (await ctx.local
    .getRepository<ObjectLiteral>(target)
    .findOneBy({ id: Number(localId) })) as ObjectLiteral | null;
  if (source === null) return undefined;
  const remoteId = await mappedId(ctx, entity, localId);
  const repo = ctx.manager.getRepository<ObjectLiteral>(target);
  const row =
    (remoteId === undefined ? null : await repo.findOneBy({ id: Number(remoteId) })) ?? repo.create();
  const { id: _id, ...fields } = source;
  Object.assign(row, fields);
  const saved = await repo.save(row);
  if (remoteId === undefined) await writeMap(ctx, entity, saved.id, localId);
  return String(saved.id);
}

/** The remote id of a related object: the id map, else created now. */
async function relatedId(
  ctx: Ctx,
  target: typeof BenchParent | typeof BenchTag,
  entity: string,
  localId: number,
) {
  return (
    (await mappedId(ctx, entity, String(localId))) ?? (await syncSimple(ctx, target, entity, String(localId)))
  );
}

async function syncItem(ctx: Ctx, localId: string): Promise<void> {
  const source = await ctx.local.getRepository(BenchItem).findOne({
    where: { id: Number(localId) },
    relations: { parent: true, tags: true },
  });
  if (source === null) return;
  const remoteId = await mappedId(ctx, 'bench_item', localId);
  const repo = ctx.manager.getRepository(BenchItem);
  const row =
    (remoteId === undefined
      ? null
      : await repo.findOne({ where: { id: Number(remoteId) }, relations: { tags: true } })) ?? repo.create();
  const { id: _id, parent, tags, ...fields } = source;
  Object.assign(row, fields);
  row.parent = { id: Number(await relatedId(ctx, BenchParent, 'bench_parent', parent.id)) } as BenchParent;
  const tagIds: number[] = [];
  for (const tag of tags) tagIds.push(Number(await relatedId(ctx, BenchTag, 'bench_tag', tag.id)));
  row.tags = tagIds.map((id) => ({ id }) as BenchTag);
  const saved = await repo.save(row);
  if (remoteId === undefined) await writeMap(ctx, 'bench_item', saved.id, localId);
}
