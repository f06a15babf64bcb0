import 'reflect-metadata';
import { createSynchroAdmin } from '../../src/index';
import { describeEachPair } from '../support/describe-dialects';
import {
  AdminCustomer,
  countRows,
  openPair,
  serve,
  waitForRunPage,
  type DatabasePair,
} from './support/admin-fixture';
import { TestBrowser } from './support/http-client';

describeEachPair(
  'admin page with a database server as remote',
  ({ source, target }) => {
    let pair: DatabasePair;
    let server: Awaited<ReturnType<typeof serve>>;

    beforeAll(async () => {
      pair = await openPair(source, target);
      server = await serve(
        createSynchroAdmin({ local: pair.local, remote: pair.remote, authorize: () => true }),
      );
    });
    afterAll(async () => {
      await server?.close();
      await pair?.close();
    });

    it('synchronizes from the page and then shows the last synchronization time and no pending changes', async () => {
      await pair.local.getRepository(AdminCustomer).save({ code: 'PG1', name: 'Server side' });
      const browser = new TestBrowser(server.origin);
      await browser.get('/synchro/');
      const posted = await browser.post('/synchro/sync', { csrf: browser.csrfToken() });
      expect(posted.status).toBe(303);
      const page = await waitForRunPage((p) => browser.get(p), posted.headers.location ?? '');
      expect(page).toContain('Synchronization performed successfully.');
      expect(await countRows(pair.remote, 'admin_customer')).toBe(1);
      const dashboard = await browser.get('/synchro/');
      expect(dashboard.body).toMatch(/<dt>Clock skew \(remote − local\)<\/dt><dd>-?\d+ ms<\/dd>/);
      expect(dashboard.body).toMatch(
        /configured remote<\/span><\/td><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/td>/,
      );
      expect(dashboard.body).toContain('No pending changes.');
    });
  },
  [{ source: 'sqlite', target: 'postgres' }],
);
