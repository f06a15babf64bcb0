import {
  EventSubscriber,
  type EntityMetadata,
  type EntitySubscriberInterface,
  type InsertEvent,
  type QueryRunner,
  type RecoverEvent,
  type RemoveEvent,
  type SoftRemoveEvent,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
  type TransactionStartEvent,
  type UpdateEvent,
} from 'typeorm';
import type { ChangeAction } from '../core/change-action';
import { dataSourceOf } from '../core/data-source-of';
import { CaptureFailedError } from '../core/errors';
import { installBuilderCapture } from './bulk-write-capture';
import { keyOfSources, logRow, ownerKeyOfJunctionValues } from './capture-rows';
import { naturalKeyForDelete } from './natural-key-reader';
import { activeSubscriberOf, captureConfigOf, handledByBuilder, SUBSCRIBER_BRAND } from './capture-state';
import type { LogRowInput } from './log-writer';
import { discardLogRows, flushLogRows, queueLogRows } from './log-buffer';
import { installSingleConnectionGuard } from './single-connection-guard';

installBuilderCapture();
installSingleConnectionGuard();

interface EntityEvent {
  queryRunner: QueryRunner;
  metadata: EntityMetadata;
  entity?: unknown;
  entityId?: unknown;
  databaseEntity?: unknown;
}

const pendingDeletes = new WeakMap<object, LogRowInput>();

/**
 * Turns logging on for a DataSource: every write of a watched entity (`@Synchro`, `registerSynchro`)
 * gets a row in `synchro_log`, in the same transaction. Register it by class; it has no `listenTo`,
 * because many-to-many changes arrive as events of the (string-targeted) join tables.
 *
 * @example
 * ```ts
 * new DataSource({ ..., entities: [Order, ...synchroEntities], subscribers: [SynchroSubscriber] })
 * ```
 */
@EventSubscriber()
export class SynchroSubscriber implements EntitySubscriberInterface {
  readonly [SUBSCRIBER_BRAND] = true;

  afterInsert(event: InsertEvent<unknown>): Promise<void> | void {
    return this.capture(event, 'insert');
  }

  afterUpdate(event: UpdateEvent<unknown>): Promise<void> | void {
    return this.capture(event as EntityEvent, 'update');
  }

  async beforeRemove(event: RemoveEvent<unknown>): Promise<void> {
    const config = this.watched(event)?.byMetadata(event.metadata);
    const target = event.entity ?? event.databaseEntity;
    if (config === undefined || typeof target !== 'object' || target === null) return;
    const key = keyOfSources(event.metadata, [event.entityId, event.databaseEntity, event.entity]);
    if (key === undefined) return;
    const sources = [event.databaseEntity, event.entity];
    const naturalKey = await naturalKeyForDelete(event.manager, config, key, sources);
    pendingDeletes.set(target, logRow(config.name, key, 'delete', naturalKey));
  }

  afterRemove(event: RemoveEvent<unknown>): Promise<void> | void {
    return this.capture(event as EntityEvent, 'delete');
  }

  /** A soft delete is an UPDATE of the row's delete-date column: the row still exists, so 'update'. */
  afterSoftRemove(event: SoftRemoveEvent<unknown>): Promise<void> | void {
    return this.capture(event as EntityEvent, 'update');
  }

  /** Recovering clears the delete-date column: also an 'update' of an existing row. */
  afterRecover(event: RecoverEvent<unknown>): Promise<void> | void {
    return this.capture(event as EntityEvent, 'update');
  }

  /** A savepoint is about to open: what is queued belongs to the enclosing level. */
  beforeTransactionStart(event: TransactionStartEvent): Promise<void> | void {
    if (this.isActiveFor(event.queryRunner)) return flushLogRows(event.queryRunner);
  }

  beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> | void {
    if (this.isActiveFor(event.queryRunner)) return flushLogRows(event.queryRunner);
  }

  beforeTransactionRollback(event: TransactionRollbackEvent): void {
    if (this.isActiveFor(event.queryRunner)) discardLogRows(event.queryRunner);
  }

  private isActiveFor(runner: QueryRunner): boolean {
    return activeSubscriberOf(dataSourceOf(runner)) === this;
  }

  private watched(event: { queryRunner: QueryRunner }) {
    const ds = dataSourceOf(event.queryRunner);
    return activeSubscriberOf(ds) === this ? captureConfigOf(ds) : undefined;
  }

  private capture(event: EntityEvent, action: ChangeAction): Promise<void> | void {
    const configs = this.watched(event);
    if (configs === undefined) return;
    const junction = configs.junction(event.metadata);
    if (junction !== undefined) {
      const values = event.entityId ?? event.entity;
      const key =
        typeof values === 'object' && values !== null
          ? ownerKeyOfJunctionValues(junction, values)
          : undefined;
      // Without ids it is a bulk junction delete: the query-builder capture logged it.
      if (key === undefined) return;
      return queueLogRows(event.queryRunner, [logRow(junction.owner.name, key, 'm2m')]);
    }
    const config = configs.byMetadata(event.metadata);
    if (config === undefined) return;
    const row = this.rowOf(event, action, config.name);
    if (row !== undefined) return queueLogRows(event.queryRunner, [row]);
  }

  private rowOf(event: EntityEvent, action: ChangeAction, name: string): LogRowInput | undefined {
    const entity = event.entity;
    if (typeof entity === 'object' && entity !== null && handledByBuilder.has(entity)) return undefined;
    if (action === 'delete') {
      const stashed = typeof entity === 'object' && entity !== null ? pendingDeletes.get(entity) : undefined;
      const fallback = event.databaseEntity as object | undefined;
      if (stashed !== undefined) return stashed;
      if (fallback !== undefined && pendingDeletes.has(fallback)) return pendingDeletes.get(fallback);
    }
    // Bulk delete / soft delete / restore events carry nothing: the query-builder capture logged them.
    if (entity === undefined && event.entityId === undefined && event.databaseEntity === undefined)
      return undefined;
    const key = keyOfSources(event.metadata, [event.entityId, event.databaseEntity, entity]);
    if (key === undefined) throw new CaptureFailedError(name, action);
    return logRow(name, key, action);
  }
}
