import 'reflect-metadata';
import type { DataSource, Logger } from 'typeorm';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { QueryLog } from '../support/query-log';
import { Customer, useSyncPair } from '../support/sync-fixtures';

/** Sends the statements of `ds` into `timeline`, tagged with `tag`, until the returned undo is called. */
function watch(ds: DataSource, tag: string, timeline: string[]): () => void {
  const own = ds.logger;
  const target = ds as { logger: Logger };
  target.logger = new QueryLog(timeline, tag);
  return () => {
    target.logger = own;
  };
}

const LOG_PAGE = /FROM \W?synchro_log\W? WHERE .* ORDER BY .* LIMIT 2$/;
const CUSTOMER_WRITE = /^INSERT INTO \W?fx_customer\W?/;

describeEachPair('engine log pages (read ahead only where work can overlap)', (pair) => {
  const db = useSyncPair(pair);

  it('reads the next page while a batch is applied, except between two in-process databases', async () => {
    const emails = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({ email: `${n}@x`, name: n }));
    await db.local.getRepository(Customer).save(emails);
    const timeline: string[] = [];
    const undo = [watch(db.local, 'local: ', timeline), watch(db.remote, 'remote: ', timeline)];
    try {
      const result = await synchronize({ local: db.local, remote: db.remote, batchSize: 2 });
      expect(result.counts.fx_customer).toMatchObject({ inserted: 6 });
    } finally {
      for (const restore of undo) restore();
    }
    const pageReads = timeline.flatMap((q, i) => (q.startsWith('local: ') && LOG_PAGE.test(q) ? [i] : []));
    const firstWrite = timeline.findIndex((q) => q.startsWith('remote: ') && CUSTOMER_WRITE.test(q.slice(8)));
    expect(pageReads).toHaveLength(3);
    expect(firstWrite).toBeGreaterThan(pageReads[0] as number);
    const inProcess = pair.source === 'sqlite' && pair.target === 'sqlite';
    // Read ahead, the second page is asked for before the first page's rows are written.
    expect((pageReads[1] as number) < firstWrite).toBe(!inProcess);
  });
});
