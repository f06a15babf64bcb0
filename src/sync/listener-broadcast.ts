import { In, type EntitySubscriberInterface, type ObjectLiteral, type QueryRunner } from 'typeorm';
import { SUBSCRIBER_BRAND } from '../capture/capture-state';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult';
import { dataSourceOf } from '../core/data-source-of';
import { decodeKey, keyOfEntity, type EncodedKey } from '../core/entity-key';
import type { EntityMapping } from './entity-mapping';
import { chunksOf } from './sync-sql';

/** @internal Which after-event a written row gets. */
export type AfterEvent = 'insert' | 'update' | 'remove';

/** @internal Whether the remote has any subscriber or entity listener that could hear `mapping`'s events. */
export function hasListeners(runner: QueryRunner, mapping: EntityMapping): boolean {
  const meta = mapping.remote;
  const own =
    meta.afterInsertListeners.length + meta.afterUpdateListeners.length + meta.afterRemoveListeners.length;
  return own > 0 || dataSourceOf(runner).subscribers.some((s) => hears(s, meta.target));
}

/**
 * Whether a subscriber could act on an after-event of `target`: the library's own subscriber logs
 * nothing during a sync, and one whose `listenTo` names another entity is not called.
 */
function hears(subscriber: EntitySubscriberInterface, target: unknown): boolean {
  if ((subscriber as unknown as Record<symbol, unknown>)[SUBSCRIBER_BRAND] === true) return false;
  const acts = ['afterInsert', 'afterUpdate', 'afterRemove'].some(
    (name) => typeof (subscriber as Record<string, unknown>)[name] === 'function',
  );
  if (!acts) return false;
  const listened = subscriber.listenTo?.() as unknown;
  if (typeof listened !== 'function' || typeof target !== 'function') return true;
  return listened === target || Object.prototype.isPrototypeOf.call(listened, target);
}

/** Many-to-one and owning one-to-one relations, loaded so listeners see `entity.customer` as after a `save`. */
function ownedRelations(mapping: EntityMapping): Record<string, true> {
  const owned = mapping.remote.relations.filter((r) => r.isManyToOne || r.isOneToOneOwner);
  return Object.fromEntries(owned.map((r) => [r.propertyName, true]));
}

/**
 * @internal Loads full remote entity instances of `remoteKeys` through the run's transaction (before a
 * delete, or after a write) so that listeners see every column.
 */
export async function loadRemoteEntities(
  runner: QueryRunner,
  mapping: EntityMapping,
  remoteKeys: readonly EncodedKey[],
): Promise<Map<EncodedKey, ObjectLiteral>> {
  const out = new Map<EncodedKey, ObjectLiteral>();
  const repository = runner.manager.getRepository<ObjectLiteral>(mapping.remote.target);
  const keyColumns = mapping.remote.primaryColumns;
  for (const part of chunksOf(remoteKeys, 500)) {
    const where =
      keyColumns.length === 1
        ? {
            [keyColumns[0]?.propertyName ?? 'id']: In(
              part.map((k) => decodeKey(k)[keyColumns[0]?.propertyPath ?? 'id']),
            ),
          }
        : part.map((k) =>
            Object.fromEntries(keyColumns.map((c) => [c.propertyName, decodeKey(k)[c.propertyPath]])),
          );
    const entities = await repository.find({
      where,
      withDeleted: true,
      relations: ownedRelations(mapping),
    } as never);
    for (const entity of entities) out.set(keyOfEntity(mapping.remote, entity) ?? '', entity);
  }
  return out;
}

/**
 * @internal Fires `afterInsert` / `afterUpdate` / `afterRemove` of the remote's subscribers and entity
 * listeners (TypeORM's own broadcaster, as a `save` would), with a manager bound to the run's transaction.
 */
export async function broadcastAfter(
  runner: QueryRunner,
  mapping: EntityMapping,
  event: AfterEvent,
  entities: readonly ObjectLiteral[],
): Promise<void> {
  if (entities.length === 0) return;
  const result = new BroadcasterResult();
  const broadcaster = runner.broadcaster;
  for (const entity of entities) {
    const id = mapping.remote.getEntityIdMap(entity);
    if (event === 'insert') broadcaster.broadcastAfterInsertEvent(result, mapping.remote, entity, id);
    else if (event === 'update')
      broadcaster.broadcastAfterUpdateEvent(result, mapping.remote, entity, entity, [], []);
    else broadcaster.broadcastAfterRemoveEvent(result, mapping.remote, entity, entity, id);
  }
  await result.wait();
}
