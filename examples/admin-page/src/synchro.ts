// In your own app, import these from 'typeorm-synchro'; the example uses the repository's source.
export {
  createSynchroAdmin,
  NaturalKey,
  Synchro,
  synchroEntities,
  SynchroSubscriber,
} from '../../../src/index';
export type { AdminLocale, SynchroAdminHandler } from '../../../src/index';
