import { installSqliteBigintShim } from './sqlite-bigint-shim';
import {
  SynchroCursorSchema,
  SynchroIdMapSchema,
  SynchroLeaseSchema,
  SynchroLogSchema,
  SynchroNodeSchema,
  SynchroRetrySchema,
} from './synchro-tables';

installSqliteBigintShim();

/**
 * The library's own table definitions. Spread them into every synchronized DataSource's `entities`
 * (the remote needs them too: the id map and cursors live there).
 *
 * @example
 * ```ts
 * new DataSource({ type: 'postgres', entities: [Order, Customer, ...synchroEntities], subscribers: [SynchroSubscriber] })
 * ```
 */
export const synchroEntities = [
  SynchroNodeSchema,
  SynchroLogSchema,
  SynchroIdMapSchema,
  SynchroCursorSchema,
  SynchroRetrySchema,
  SynchroLeaseSchema,
] as const;
