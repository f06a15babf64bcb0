import type { DataSource } from 'typeorm';
import { countPendingChanges } from '../capture/count-pending-changes';
import { resetSynchro } from '../sync/reset-synchro';
import type { SyncOptions } from '../sync/sync-options';
import type { SyncResult } from '../sync/sync-result';
import { getSyncStatus, type SyncStatus } from '../sync/sync-status';
import { synchronize } from '../sync/synchronizer';

/**
 * The library operations the admin page calls. One seam, so the page's modules name no engine
 * internals; the page always uses {@link SYNCHRO_ENGINE}.
 * @internal
 */
export interface AdminEngine {
  synchronize(options: SyncOptions): Promise<SyncResult>;
  getSyncStatus(local: DataSource, remote?: DataSource | null): Promise<SyncStatus>;
  countPendingChanges(local: DataSource, options: { remote?: DataSource }): Promise<Record<string, number>>;
  resetSynchro(local: DataSource, options: { forgetIds?: boolean }): Promise<unknown>;
}

/** @internal The library's own operations. */
export const SYNCHRO_ENGINE: AdminEngine = {
  synchronize,
  getSyncStatus,
  countPendingChanges: (local, options) => countPendingChanges(local, options),
  resetSynchro,
};
