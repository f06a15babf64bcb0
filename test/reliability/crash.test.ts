import './support/tz';
import 'reflect-metadata';
import { describeEachPair } from '../support/describe-dialects';
import { crashSuite } from './support/crash-suite';
import { readNodeId } from '../../src/store/node-identity';
import { SYNCHRO_TABLES } from '../../src/store/synchro-tables';
import { synchronize } from '../../src/sync/synchronizer';
import { cursorOf, logEndOf } from './support/delivery-checks';
import { contentOf, RelParent } from './support/model-entities';
import { openReliabilityPair, seedOf } from './support/model-suite';

describeEachPair('crash safety: SIGKILL during a sync', (pair) => {
  crashSuite(pair, { rows: 40, killsPerPair: 5, seed: seedOf(7) });
});

describeEachPair('crash between the remote commit and the local mirror', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
  });
  afterAll(async () => db?.close());

  it('the next run repairs the local mirror even when it has nothing to send', async () => {
    const { A, B } = db.ds;
    await A.getRepository(RelParent).save({ uid: 'm1', name: 'mirror' });
    await synchronize({ local: A, remote: B });
    const end = await logEndOf(A);
    const remoteNode = (await readNodeId(B)) as string;
    // The state a SIGKILL right after the remote commit leaves: the mirror was never written.
    const e = (n: string) => A.driver.escape(n);
    await A.query(`DELETE FROM ${e(SYNCHRO_TABLES.cursor)}`);
    await A.query(`DELETE FROM ${e(SYNCHRO_TABLES.idMap)}`);
    const again = await synchronize({ local: A, remote: B });
    expect(again.status).toBe('no-changes');
    expect(await cursorOf(A, remoteNode, 'out')).toBe(end);
    expect(await contentOf(B)).toEqual(await contentOf(A));
  });
});
