import 'reflect-metadata';
import { describeEachPair } from '../support/describe-dialects';
import { createSynchroAdmin, InvalidOptionError, type SynchroAdminOptions } from '../../src/index';
import { createCsrfGuard } from '../../src/admin/csrf';
import { escapeHtml, html, rawHtml } from '../../src/admin/html';
import { ADMIN_LOCALES, ADMIN_MESSAGES } from '../../src/admin/admin-messages';
import { openPair, type DatabasePair } from './support/admin-fixture';

describeEachPair(
  'admin page building blocks',
  () => {
    let pair: DatabasePair;
    beforeAll(async () => {
      pair = await openPair();
    });
    afterAll(async () => {
      await pair?.close();
    });

    const base = (): SynchroAdminOptions => ({
      local: pair.local,
      remote: pair.remote,
      authorize: () => true,
    });

    it.each([
      ['authorize', { authorize: 'yes' }],
      ['local', { local: {} }],
      ['secret', { secret: 'short' }],
      ['locale', { locale: 'it' }],
      ['basePath', { basePath: 'synchro/<x>' }],
      ['allowReset', { allowReset: 'true' }],
      ['batchSize', { syncOptions: { batchSize: 0 } }],
      ['commit', { syncOptions: { commit: 'sometimes' } }],
    ])('refuses a bad %s at startup with InvalidOptionError naming it', (option, bad) => {
      const attempt = () => createSynchroAdmin({ ...base(), ...(bad as Partial<SynchroAdminOptions>) });
      expect(attempt).toThrow(InvalidOptionError);
      try {
        attempt();
      } catch (error) {
        expect((error as InvalidOptionError).option).toBe(option);
      }
    });

    it('escapes every interpolated value and keeps only explicitly safe markup', () => {
      expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe(
        '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;',
      );
      const name = '<script>alert(1)</script>';
      expect(html`<td>${name}</td>`.value).toBe('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
      expect(html`<p>${[html`<b>${'&'}</b>`, '<i>']}</p>`.value).toBe('<p><b>&amp;</b>&lt;i&gt;</p>');
      expect(html`${rawHtml('<hr>')}${null}${undefined}${false}${0}`.value).toBe('<hr>0');
    });

    it('accepts only tokens made with the same secret for the same nonce', () => {
      const csrf = createCsrfGuard('a secret of sufficient length');
      const other = createCsrfGuard('another secret of sufficient length');
      const nonce = csrf.newNonce();
      expect(csrf.verify(nonce, csrf.tokenFor(nonce))).toBe(true);
      expect(csrf.verify(nonce, other.tokenFor(nonce))).toBe(false);
      expect(csrf.verify(csrf.newNonce(), csrf.tokenFor(nonce))).toBe(false);
      expect(csrf.verify(undefined, csrf.tokenFor(nonce))).toBe(false);
      expect(csrf.verify(nonce, undefined)).toBe(false);
      expect(csrf.verify('short', csrf.tokenFor('short'))).toBe(false);
    });

    it('has every message in every locale, and the seed’s English messages word for word', () => {
      const keys = Object.keys(ADMIN_MESSAGES.en).sort();
      for (const locale of ADMIN_LOCALES) expect(Object.keys(ADMIN_MESSAGES[locale]).sort()).toEqual(keys);
      expect(ADMIN_MESSAGES.en.synced).toBe('Synchronization performed successfully.');
      expect(ADMIN_MESSAGES.en.noChanges).toBe('No changes since last synchronization.');
      expect(ADMIN_MESSAGES.en.errorOccurred('boom')).toBe('An error occured: boom');
      expect(ADMIN_MESSAGES.en.resetDone).toBe('Synchronization has been reset.');
      const translated = ADMIN_LOCALES.filter((l) => l !== 'en').map((l) => ADMIN_MESSAGES[l].synced);
      expect(new Set(translated).size).toBe(4);
      expect(translated).not.toContain(ADMIN_MESSAGES.en.synced);
    });
  },
  [{ source: 'sqlite', target: 'sqlite' }],
);
