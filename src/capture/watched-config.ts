import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { InvalidEntityConfigError } from '../core/errors';
import { synchroConfigOf, type SynchroEntityConfig } from './entity-config';

/** @internal The metadata and watched configuration of an entity, or a typed error when it is not watched. */
export function watchedConfigOf(
  dataSource: DataSource,
  target: EntityTarget<ObjectLiteral>,
): { metadata: EntityMetadata; config: SynchroEntityConfig } {
  const metadata = dataSource.getMetadata(target);
  const config = synchroConfigOf(dataSource).byMetadata(metadata);
  if (config === undefined) {
    throw new InvalidEntityConfigError(
      `${metadata.name} is not watched by typeorm-synchro`,
      { entity: metadata.name },
      'decorate it with @Synchro() or pass it to registerSynchro() before initialize()',
    );
  }
  return { metadata, config };
}
