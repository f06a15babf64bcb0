import type { EntityManager } from 'typeorm';
import { decodeKey, type EncodedKey } from '../core/entity-key';
import { naturalKeyOfEntity } from './capture-rows';
import type { SynchroEntityConfig } from './entity-config';

/**
 * The natural key of a row to be deleted: from the first of `sources` that has every natural-key
 * field loaded, else read from the database by primary key (the row still exists); `undefined` when
 * the row is gone or the entity has no natural key.
 * @internal
 */
export async function naturalKeyForDelete(
  manager: EntityManager,
  config: SynchroEntityConfig,
  key: EncodedKey,
  sources: readonly unknown[],
): Promise<string | undefined> {
  if (config.naturalKey === undefined) return undefined;
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    const found = naturalKeyOfEntity(config, source);
    if (found !== undefined) return found;
  }
  return readNaturalKey(manager, config, key);
}

async function readNaturalKey(
  manager: EntityManager,
  config: SynchroEntityConfig,
  key: EncodedKey,
): Promise<string | undefined> {
  const stored = decodeKey(key);
  const idMap: Record<string, unknown> = {};
  for (const column of config.metadata.primaryColumns)
    column.setEntityValue(idMap, stored[column.propertyPath]);
  const row = await manager.findOne(config.metadata.target, {
    where: idMap as never,
    withDeleted: true,
    loadRelationIds: { disableMixedMap: true },
  });
  return row === null ? undefined : naturalKeyOfEntity(config, row);
}
