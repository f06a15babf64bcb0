import { EntityManager } from 'typeorm';
import { dataSourceOf } from '../core/data-source-of';
import { activeSubscriberOf } from './capture-state';
import { needsMutex, withTransactionMutex } from './transaction-mutex';

const GUARDED = ['transaction', 'save', 'remove', 'softRemove', 'recover'] as const;
const INSTALLED = Symbol.for('typeorm-synchro:single-connection-guard');

/**
 * On a single-connection database (better-sqlite3) two async flows share one connection, so a
 * transaction the capture forces could swallow another flow's writes. For DataSources with a
 * SynchroSubscriber, the EntityManager entry points that open transactions (`transaction`, and
 * `save`/`remove`/`softRemove`/`recover` of a non-transactional manager) take the same per-DataSource
 * mutex as the capture; re-entrant within a flow, a no-op on PostgreSQL and MySQL. Idempotent.
 * @internal
 */
export function installSingleConnectionGuard(): void {
  const proto = EntityManager.prototype as unknown as Record<string | symbol, unknown>;
  if (Object.prototype.hasOwnProperty.call(proto, INSTALLED)) return;
  for (const name of GUARDED) {
    const original = proto[name] as (this: EntityManager, ...args: unknown[]) => Promise<unknown>;
    proto[name] = function guarded(this: EntityManager, ...args: unknown[]): Promise<unknown> {
      if (this.queryRunner !== undefined) return original.apply(this, args);
      const ds = dataSourceOf(this);
      if (activeSubscriberOf(ds) === undefined || !needsMutex(ds)) return original.apply(this, args);
      return withTransactionMutex(ds, () => original.apply(this, args));
    };
  }
  proto[INSTALLED] = true;
}
