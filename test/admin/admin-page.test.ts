import 'reflect-metadata';
import { describeEachPair } from '../support/describe-dialects';
import type { IncomingMessage } from 'node:http';
import { createSynchroAdmin, InvalidOptionError, type SynchroAdminOptions } from '../../src/index';
import { acquireRunMutex } from '../../src/sync/run-mutex';
import {
  AdminCustomer,
  AdminEvil,
  countRows,
  openPair,
  serve,
  waitForRunPage,
  type DatabasePair,
} from './support/admin-fixture';
import { request, TestBrowser } from './support/http-client';

const ALLOWED = { 'X-Test-User': 'staff' };
const allowStaff = (req: IncomingMessage) => req.headers['x-test-user'] === 'staff';

/** Starts an admin page over `pair` on a plain http server; closes both after the test. */
async function startAdmin(pair: DatabasePair, extra: Partial<SynchroAdminOptions> = {}) {
  const handler = createSynchroAdmin({
    local: pair.local,
    remote: pair.remote,
    authorize: allowStaff,
    ...extra,
  });
  const server = await serve(handler);
  return { ...server, browser: new TestBrowser(server.origin, ALLOWED) };
}

async function addCustomer(pair: DatabasePair, code: string, name = `Customer ${code}`): Promise<void> {
  await pair.local.getRepository(AdminCustomer).save({ code, name });
}

const remoteCustomers = (pair: DatabasePair) => countRows(pair.remote, 'admin_customer');
const localLog = (pair: DatabasePair) => countRows(pair.local, 'synchro_log');

describeEachPair(
  'admin page over HTTP',
  () => {
    let pair: DatabasePair;
    let admin: Awaited<ReturnType<typeof startAdmin>>;

    beforeEach(async () => {
      pair = await openPair();
      await addCustomer(pair, 'C1');
      admin = await startAdmin(pair, { allowReset: true });
    });
    afterEach(async () => {
      await admin.close();
      await pair.close();
    });

    it('refuses to start without authorize: a typed startup error, not an open page', () => {
      const options = { local: pair.local, remote: pair.remote } as unknown as SynchroAdminOptions;
      expect(() => createSynchroAdmin(options)).toThrow(InvalidOptionError);
      expect(() => createSynchroAdmin(options)).toThrow(/authorize/);
    });

    it('answers 403 to an unauthorized request, for pages, actions and assets alike', async () => {
      for (const path of ['/synchro/', '/synchro/reset', '/synchro/assets/admin.css']) {
        const res = await request(admin.origin + path);
        expect(res.status).toBe(403);
        expect(res.body).not.toContain('C1');
        expect(res.body).not.toContain('customer');
      }
      const post = await request(`${admin.origin}/synchro/sync`, { method: 'POST' });
      expect(post.status).toBe(403);
      expect(await remoteCustomers(pair)).toBe(0);
    });

    it('treats an async authorize that resolves falsy as unauthorized', async () => {
      const closed = await startAdmin(pair, { authorize: async () => false });
      try {
        const res = await closed.browser.get('/synchro/');
        expect(res.status).toBe(403);
      } finally {
        await closed.close();
      }
    });

    it('shows status, pending changes per entity and enabled buttons under a strict CSP', async () => {
      const res = await admin.browser.get('/synchro');
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
      expect(res.headers['set-cookie']?.[0]).toMatch(
        /^synchro_csrf=[\w-]+; Path=\/synchro; HttpOnly; SameSite=Strict/,
      );
      expect(res.body).toMatch(/<td>customer<\/td><td>1<\/td>/);
      expect(res.body).toContain('Clock skew');
      expect(res.body).toContain('No synchronization has been performed yet.');
      expect(res.body).toMatch(/<button type="submit" class="button primary">Synchronize<\/button>/);
      expect(res.body).toMatch(/<button type="submit" class="button">Preview<\/button>/);
      expect(res.body).not.toMatch(/<script|\son\w+=|style=/i);
    });

    it('refuses a POST without a CSRF token, with a bad one, or without the cookie; nothing changes', async () => {
      await admin.browser.get('/synchro/');
      const token = admin.browser.csrfToken();
      const noToken = await admin.browser.post('/synchro/sync', {});
      const badToken = await admin.browser.post('/synchro/sync', { csrf: `${token.slice(0, -2)}xx` });
      const otherBrowser = new TestBrowser(admin.origin, ALLOWED);
      const noCookie = await otherBrowser.post('/synchro/sync', { csrf: token });
      const badReset = await admin.browser.post('/synchro/reset', { csrf: 'nope' });
      for (const res of [noToken, badToken, noCookie, badReset]) {
        expect(res.status).toBe(403);
        expect(res.body).toContain('The form has expired');
      }
      expect(await remoteCustomers(pair)).toBe(0);
      expect(await localLog(pair)).toBe(1);
      expect((await admin.browser.get('/synchro/')).body).not.toContain('Recent runs');
    });

    it('synchronizes with POST/redirect/GET; refreshing the result page does not run again', async () => {
      await admin.browser.get('/synchro/');
      const posted = await admin.browser.post('/synchro/sync', { csrf: admin.browser.csrfToken() });
      expect(posted.status).toBe(303);
      const location = posted.headers.location ?? '';
      expect(location).toMatch(/^\/synchro\/runs\/[0-9a-f-]{36}$/);
      const page = await waitForRunPage((p) => admin.browser.get(p), location);
      expect(page).toContain('Synchronization performed successfully.');
      expect(page).toMatch(/<td>customer<\/td><td>1<\/td><td>0<\/td>/);
      expect(await remoteCustomers(pair)).toBe(1);

      await addCustomer(pair, 'C2');
      const refreshed = await admin.browser.get(location);
      expect(refreshed.status).toBe(200);
      expect(await remoteCustomers(pair)).toBe(1);
      const dashboard = await admin.browser.get('/synchro/');
      expect(dashboard.body.match(/\/synchro\/runs\//g)).toHaveLength(1);
      expect(dashboard.body).toContain('configured remote');
    });

    it('answers a GET of an action with 405 and starts nothing', async () => {
      const res = await admin.browser.get('/synchro/sync');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(await remoteCustomers(pair)).toBe(0);
    });

    it('previews as a plan table and writes nothing', async () => {
      await admin.browser.get('/synchro/');
      const posted = await admin.browser.post('/synchro/preview', { csrf: admin.browser.csrfToken() });
      expect(posted.status).toBe(303);
      const page = await waitForRunPage((p) => admin.browser.get(p), posted.headers.location ?? '');
      expect(page).toContain('Preview: nothing was written.');
      expect(page).toMatch(/<th scope="col">Action<\/th>/);
      expect(page).toMatch(/<td>customer<\/td><td>1<\/td><td>insert<\/td>/);
      expect(await remoteCustomers(pair)).toBe(0);
    });

    it('never runs two synchronizations at once: a second start goes to the running one', async () => {
      const release = await acquireRunMutex([pair.remote], 60_000);
      expect(release).toBeDefined();
      await admin.browser.get('/synchro/');
      const csrf = admin.browser.csrfToken();
      const first = await admin.browser.post('/synchro/sync', { csrf });
      const running = await admin.browser.get(first.headers.location ?? '');
      expect(running.body).toContain('<meta http-equiv="refresh" content="1"/>');
      expect(running.body).toContain('Synchronization in progress');
      const second = await admin.browser.post('/synchro/sync', { csrf });
      const preview = await admin.browser.post('/synchro/preview', { csrf });
      expect(second.headers.location).toBe(first.headers.location);
      expect(preview.headers.location).toBe(first.headers.location);
      const dashboard = await admin.browser.get('/synchro/');
      expect(dashboard.body).toContain(
        `A synchronization is already running.<a href="${first.headers.location}">`,
      );
      const reset = await admin.browser.post('/synchro/reset', { csrf });
      expect(reset.headers.location).toBe(first.headers.location);
      expect(await localLog(pair)).toBe(1);
      release!();
      const page = await waitForRunPage((p) => admin.browser.get(p), first.headers.location ?? '');
      expect(page).toContain('Synchronization performed successfully.');
      expect(await remoteCustomers(pair)).toBe(1);
    });

    it('shows a failed run’s message and code, without a stack trace', async () => {
      const locked = await startAdmin(pair, { syncOptions: { lockTimeoutMs: 0 } });
      const release = await acquireRunMutex([pair.remote], 60_000);
      try {
        await locked.browser.get('/synchro/');
        const posted = await locked.browser.post('/synchro/sync', { csrf: locked.browser.csrfToken() });
        const page = await waitForRunPage((p) => locked.browser.get(p), posted.headers.location ?? '');
        expect(page).toContain('An error occured: Another synchronization into');
        expect(page).toContain('<code>SYNCHRO_LOCKED</code>');
        expect(page).not.toMatch(/ at .*\.ts:\d+/);
        expect(page).not.toContain('class="stack"');
      } finally {
        release!();
        await locked.close();
      }
      expect(await remoteCustomers(pair)).toBe(0);
    });

    it('shows the stack trace of a failed run only with debug', async () => {
      const debug = await startAdmin(pair, { syncOptions: { lockTimeoutMs: 0 }, debug: true });
      const release = await acquireRunMutex([pair.remote], 60_000);
      try {
        await debug.browser.get('/synchro/');
        const posted = await debug.browser.post('/synchro/sync', { csrf: debug.browser.csrfToken() });
        const page = await waitForRunPage((p) => debug.browser.get(p), posted.headers.location ?? '');
        expect(page).toContain('class="stack"');
        expect(page).toContain('SynchroLockedError');
      } finally {
        release!();
        await debug.close();
      }
    });

    it('answers an unexpected error with a 500 page that shows no details unless debug', async () => {
      const failing = () => {
        throw new Error('session store at 10.0.0.7 is down');
      };
      const quiet = await startAdmin(pair, { authorize: failing });
      const loud = await startAdmin(pair, { authorize: failing, debug: true });
      try {
        const hidden = await quiet.browser.get('/synchro/');
        expect(hidden.status).toBe(500);
        expect(hidden.body).toContain('Something went wrong on the server.');
        expect(hidden.body).not.toContain('10.0.0.7');
        expect(hidden.body).not.toContain('class="stack"');
        const shown = await loud.browser.get('/synchro/');
        expect(shown.status).toBe(500);
        expect(shown.body).toContain('An error occured: session store at 10.0.0.7 is down');
        expect(shown.body).toContain('class="stack"');
      } finally {
        await quiet.close();
        await loud.close();
      }
    });

    it('resets after a confirmation page, with POST/redirect/GET', async () => {
      const dashboard = await admin.browser.get('/synchro/');
      expect(dashboard.body).toContain('href="/synchro/reset"');
      const confirm = await admin.browser.get('/synchro/reset');
      expect(confirm.status).toBe(200);
      expect(confirm.body).toMatch(/<form method="post" action="\/synchro\/reset"/);
      expect(await localLog(pair)).toBe(1);
      const posted = await admin.browser.post('/synchro/reset', { csrf: admin.browser.csrfToken() });
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toBe('/synchro/?notice=reset');
      expect(await localLog(pair)).toBe(0);
      const after = await admin.browser.get(posted.headers.location ?? '');
      expect(after.body).toContain('Synchronization has been reset.');
      expect(after.body).toContain('No pending changes.');
    });

    it('hides and refuses reset when allowReset is false', async () => {
      const noReset = await startAdmin(pair, { allowReset: false });
      try {
        const dashboard = await noReset.browser.get('/synchro/');
        const csrf = noReset.browser.csrfToken();
        expect(dashboard.body).not.toContain('/synchro/reset');
        expect(dashboard.body).not.toContain('>Reset<');
        expect((await noReset.browser.get('/synchro/reset')).status).toBe(403);
        const posted = await noReset.browser.post('/synchro/reset', { csrf });
        expect(posted.status).toBe(403);
        expect(posted.body).toContain('Reset is disabled.');
        expect(await localLog(pair)).toBe(1);
      } finally {
        await noReset.close();
      }
    });

    it('escapes entity names and messages everywhere', async () => {
      await pair.local.getRepository(AdminEvil).save({ label: 'x' });
      const dashboard = await admin.browser.get('/synchro/');
      expect(dashboard.body).not.toContain('<img');
      expect(dashboard.body).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#39;');
      const posted = await admin.browser.post('/synchro/sync', { csrf: admin.browser.csrfToken() });
      const page = await waitForRunPage((p) => admin.browser.get(p), posted.headers.location ?? '');
      expect(page).toContain('Synchronization performed successfully.');
      expect(page).not.toContain('<img');
      expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('without a remote says so, disables the buttons and refuses to run', async () => {
      const alone = await startAdmin(pair, { remote: null, allowReset: true });
      try {
        const res = await alone.browser.get('/synchro/');
        expect(res.body).toContain('No remote database is configured');
        expect(res.body).toMatch(
          /<button type="submit" class="button primary" disabled>Synchronize<\/button>/,
        );
        expect(res.body).toMatch(/<button type="submit" class="button" disabled>Preview<\/button>/);
        expect(res.body).toMatch(/<button type="button" class="button danger" disabled>Reset<\/button>/);
        const posted = await alone.browser.post('/synchro/sync', { csrf: alone.browser.csrfToken() });
        expect(posted.status).toBe(409);
        expect(await localLog(pair)).toBe(1);
      } finally {
        await alone.close();
      }
    });

    it('speaks Polish, German, French and Spanish by locale', async () => {
      const expected = {
        pl: 'Oczekujące zmiany',
        de: 'Ausstehende Änderungen',
        fr: 'Modifications en attente',
        es: 'Cambios pendientes',
      } as const;
      for (const [locale, text] of Object.entries(expected)) {
        const localized = await startAdmin(pair, { locale: locale as keyof typeof expected });
        try {
          const res = await localized.browser.get('/synchro/');
          expect(res.body).toContain(`<html lang="${locale}">`);
          expect(res.body).toContain(text);
          expect(res.body).not.toContain('Pending changes');
        } finally {
          await localized.close();
        }
      }
    });

    it('reports a successful sync in the chosen language', async () => {
      const polish = await startAdmin(pair, { locale: () => 'pl' });
      try {
        await polish.browser.get('/synchro/');
        const posted = await polish.browser.post('/synchro/sync', { csrf: polish.browser.csrfToken() });
        const page = await waitForRunPage((p) => polish.browser.get(p), posted.headers.location ?? '');
        expect(page).toContain('Synchronizacja przeprowadzona pomyślnie.');
      } finally {
        await polish.close();
      }
    });

    it('with bothWays, Synchronize also brings the remote changes back, each direction under its heading', async () => {
      const twoWay = await startAdmin(pair, { bothWays: true });
      try {
        await pair.remote.getRepository(AdminCustomer).save({ code: 'R1', name: 'Made on the remote' });
        await twoWay.browser.get('/synchro/');
        const posted = await twoWay.browser.post('/synchro/sync', { csrf: twoWay.browser.csrfToken() });
        const page = await waitForRunPage((p) => twoWay.browser.get(p), posted.headers.location ?? '');
        expect(page.match(/<h2>(Sent to the remote|Received from the remote)<\/h2>/g)).toEqual([
          '<h2>Sent to the remote</h2>',
          '<h2>Received from the remote</h2>',
        ]);
        expect(await remoteCustomers(pair)).toBe(2);
        expect(await pair.local.getRepository(AdminCustomer).countBy({ code: 'R1' })).toBe(1);
      } finally {
        await twoWay.close();
      }
    });

    it('passes requests outside its base path to next(), and 404s them without next', async () => {
      const handler = createSynchroAdmin({ local: pair.local, remote: pair.remote, authorize: () => true });
      const server = await serve((req, res) =>
        handler(req, res, () => {
          res.statusCode = 200;
          res.end('next');
        }),
      );
      const bare = await serve(handler);
      try {
        expect((await request(`${server.origin}/elsewhere`)).body).toBe('next');
        expect((await request(`${bare.origin}/elsewhere`)).status).toBe(404);
        expect((await request(`${bare.origin}/synchro/nope`)).status).toBe(404);
      } finally {
        await server.close();
        await bare.close();
      }
    });
  },
  [{ source: 'sqlite', target: 'sqlite' }],
);
