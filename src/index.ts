// typeorm-synchro public API: curated named exports only.
export type { ChangeAction } from './core/change-action';
export {
  ApplyFailedError,
  ClockSkewError,
  ConnectionFailedError,
  ConnectionLostError,
  DataSourceLoadError,
  InvalidEntityConfigError,
  InvalidOptionError,
  MultipleNaturalKeyMatchesError,
  NoRemoteError,
  PermissionDeniedError,
  RemoteConstraintError,
  SameDatabaseError,
  SameNodeIdentityError,
  SchemaMismatchError,
  SynchroError,
  SynchroLockedError,
  SynchroTablesMissingError,
} from './core/errors';
export type { SynchroErrorCode, SynchroErrorDetails, SynchroErrorSubject } from './core/errors';
export type { DialectName } from './dialect/synchro-dialect';
export { dialectNameOf } from './dialect/dialect-for';
export { defineConfig } from './core/define-config';
export type { SynchroConfig, SynchroConfigOptions } from './core/define-config';
export { SYNCHRO_MIGRATION_SQL } from './store/migration-sql';
export { CreateSynchroTables1764300000000 } from './store/synchro-migration';
export { synchroEntities } from './store/synchro-entities';
export { SYNCHRO_SCHEMA_VERSION, SYNCHRO_TABLES } from './store/synchro-tables';
export { checkBatchSize, SYNC_DEFAULTS } from './sync/sync-options';
export type {
  CommitMode,
  ConflictPolicy,
  OnClockSkewMode,
  OnErrorMode,
  SyncConflict,
  SyncOptions,
  SyncProgress,
  SyncTestHooks,
} from './sync/sync-options';
export { resetSynchro } from './sync/reset-synchro';
export type { ResetSynchroOptions } from './sync/reset-synchro';
export { getCheckpoint, setCheckpoint } from './sync/checkpoint';
export type { Checkpoint, CheckpointValue } from './sync/checkpoint';
export { adoptCopy } from './sync/adopt-copy';
export type { AdoptCopyResult } from './sync/adopt-copy';
export { pruneLog } from './sync/prune-log';
export { getSyncStatus, listPeers } from './sync/sync-status';
export type { PeerStatus, SyncStatus } from './sync/sync-status';
export { NaturalKey, registerSynchro, Synchro, SynchroSkip } from './capture/decorators';
export type { EntityTarget as SynchroTarget, NaturalKeyOptions, SynchroOptions } from './capture/decorators';
export { SynchroSubscriber } from './capture/synchro-subscriber';
export { NoSynchroLog, runInNoLogContext } from './capture/no-log-context';
export { CaptureFailedError } from './core/errors';
export { synchronize, Synchronizer } from './sync/synchronizer';
export { reverseSyncOptions } from './sync/reverse-sync-options';
export { SYNC_MESSAGES } from './sync/sync-result';
export type {
  EntityCounts,
  PlannedAction,
  PlannedActionKind,
  SkippedObject,
  SyncConflictReport,
  SyncResult,
  SyncRunStatus,
} from './sync/sync-result';
export { createSynchroAdmin } from './admin/create-synchro-admin';
export type { SynchroAdminHandler } from './admin/create-synchro-admin';
export type { AdminAuthorize, AdminSyncOptions, SynchroAdminOptions } from './admin/admin-options';
export type { AdminLocale } from './admin/admin-messages';
export { logChange } from './capture/log-change';
export { getPendingChanges } from './capture/pending-changes';
export type { PendingChange, PendingChangesOptions } from './capture/pending-changes';
export { countPendingChanges } from './capture/count-pending-changes';
export { findByNaturalKey } from './capture/find-by-natural-key';
