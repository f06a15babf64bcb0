import type { ResolvedSyncOptions } from './sync-options';
import type { ResolvedTargets } from './resolved-targets';
import type { EntityMappings } from './entity-mapping';
import type { IdMapSides } from './id-map-store';
import type { ResultCollector } from './sync-result';
import type { SideSql } from './sync-sql';

/** @internal Everything one run's batches share. */
export interface EngineContext {
  readonly options: ResolvedSyncOptions;
  readonly mappings: EntityMappings;
  /** Local reads go straight to the local DataSource. */
  readonly local: SideSql;
  /** Remote reads and writes go through the run's remote runner (inside its transaction). */
  readonly remote: SideSql;
  readonly sides: IdMapSides;
  /** The local side's `('in', remote)` cursor: remote log ids above it are changes the local has not seen. */
  readonly unseenRemoteAfter: string;
  readonly result: ResultCollector;
  /** FK / m2m targets earlier batches of the run resolved on the remote. */
  readonly resolved: ResolvedTargets;
}
