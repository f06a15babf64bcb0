import './support/tz';
import 'reflect-metadata';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';
import { HistoryRunner, truncateAll, type Step } from './support/history';
import { contentOf, RELIABILITY_ENTITIES } from './support/model-entities';

/** A shrunk history of the model-based suite and the content both databases must end with. */
interface Regression {
  readonly title: string;
  readonly steps: readonly Step[];
  readonly A: readonly string[];
  readonly B: readonly string[];
}

const sync = (from: 'A' | 'B'): Step => ({ k: 'sync', from, commit: 'run', batchSize: 500 });

/**
 * Deletes against changes of the same object on the other side. Parent u1 has a generated key and no
 * natural key (the engine finds its counterpart through the id map only); tag `red` a natural key.
 * The memo field is skipped: a row created by a sync has none.
 */
const REGRESSIONS: readonly Regression[] = [
  {
    // Soak seed 559831976 (history 65, shrunk). B deletes u1, A updates it later: A's newer update wins
    // on B (re-created, a conflict), and B's older delete must not then remove it from A.
    title: 'seed 559831976: a newer update wins over an older delete, on both sides',
    steps: [
      { k: 'createLink', db: 'A', i: 0, j: 0 }, // nothing to link: creates parent u1 instead
      sync('A'),
      { k: 'deleteParent', db: 'B', i: 0 },
      { k: 'updateParent', db: 'A', i: 0, memo: false },
      sync('A'),
      sync('B'),
      { k: 'createChild', db: 'A', i: null, v: 0 },
    ],
    A: ['C|u2|6|-', 'P|u1|n3|m0'],
    B: ['P|u1|n3|-'],
  },
  {
    title: 'a newer delete wins over an older update, on both sides',
    steps: [
      { k: 'createParent', db: 'A', v: 0 },
      sync('A'),
      { k: 'updateParent', db: 'A', i: 0, memo: false },
      { k: 'deleteParent', db: 'B', i: 0 },
      sync('A'),
      sync('B'),
    ],
    A: [],
    B: [],
  },
  {
    title: 'natural key: a newer update wins over an older delete, on both sides',
    steps: [
      { k: 'createTag', db: 'A', v: 0 },
      sync('A'),
      { k: 'deleteTag', db: 'B', i: 0 },
      { k: 'updateTag', db: 'A', i: 0 },
      sync('A'),
      sync('B'),
    ],
    A: ['T|red|c3'],
    B: ['T|red|c3'],
  },
  {
    title: 'a row kept deleted by a newer delete is created again for a newer child that references it',
    steps: [
      { k: 'createParent', db: 'A', v: 1 },
      sync('A'),
      { k: 'updateParent', db: 'A', i: 0, memo: false },
      { k: 'deleteParent', db: 'B', i: 0 },
      { k: 'createChild', db: 'A', i: 0, v: 0 },
      sync('A'),
      sync('B'),
    ],
    A: ['C|u2|4|u1', 'P|u1|n2|-'],
    B: ['C|u2|4|u1', 'P|u1|n2|-'],
  },
];

describeEachPair('model-based regressions: deletes against newer and older changes', (pair) => {
  const db = useSyncPair(pair, RELIABILITY_ENTITIES);

  for (const regression of REGRESSIONS) {
    it(regression.title, async () => {
      await truncateAll(db.local);
      await truncateAll(db.remote);
      await new HistoryRunner({ A: db.local, B: db.remote }).run(regression.steps);
      expect(await contentOf(db.local)).toEqual(regression.A);
      expect(await contentOf(db.remote)).toEqual(regression.B);
    });
  }
});
