import 'reflect-metadata';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { acquireRunMutex } from '../../../src/sync/run-mutex';
import { Customer, Invoice } from '../../../examples/admin-page/src/entities';
import { startAdminExample, type AdminExample } from '../../../examples/admin-page/src/example-server';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(__dirname, '..', '..', '..', 'test-output', 'admin-after-sync.png');

async function count(ds: DataSource, table: string): Promise<number> {
  const rows = (await ds.query(`SELECT COUNT(*) AS n FROM ${ds.driver.escape(table)}`)) as { n: unknown }[];
  return Number(rows[0]?.n ?? 0);
}

/** The cells of the table in the section headed `heading`, row by row, as shown. */
function tableRows(page: Page, heading: string): Promise<string[][]> {
  return page
    .locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.innerText.trim())),
    );
}

/** Clicks a button or link and waits for the page it leads to (after the POST's redirect). */
async function clickAndLoad(page: Page, name: string): Promise<void> {
  await Promise.all([
    page.waitForEvent('load'),
    page
      .getByRole('button', { name, exact: true })
      .or(page.getByRole('link', { name, exact: true }))
      .click(),
  ]);
}

describe('admin page in Chromium, through the example app [sqlite->sqlite]', () => {
  let dataDir: string;
  let example: AdminExample;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    dataDir = mkdtempSync(join(tmpdir(), 'synchro-admin-e2e-'));
    example = await startAdminExample({ dataDir, port: 0, password: 'e2e-password' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await example?.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends an unauthenticated visitor to the login form; the admin page itself answers 403', async () => {
    const post = await page.request.post(`${example.url}/synchro/sync`, { maxRedirects: 0 });
    expect(post.status()).toBe(403);
    expect(await count(example.production, 'customer')).toBe(0);
    await page.goto(`${example.url}/synchro/`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('logs in through the example guard and shows the pending changes', async () => {
    await page.getByLabel('Password').fill('e2e-password');
    await clickAndLoad(page, 'Log in');
    expect(new URL(page.url()).pathname).toBe('/synchro/');
    expect(await page.locator('h1').textContent()).toBe('Synchronization');
    expect(await tableRows(page, 'Pending changes')).toEqual([
      ['customer', '2'],
      ['invoice', '1'],
      ['Total', '3'],
    ]);
  });

  it('previews: the plan as a table, nothing written', async () => {
    await clickAndLoad(page, 'Preview');
    await page.getByText('Preview: nothing was written.').waitFor();
    const plan = await tableRows(page, 'Plan');
    expect(plan.map((row) => [row[0], row[2]])).toEqual([
      ['customer', 'insert'],
      ['customer', 'insert'],
      ['invoice', 'insert'],
    ]);
    expect(await count(example.production, 'customer')).toBe(0);
  });

  it('synchronizes: the result page refreshes until the run ends, and the rows reach the remote', async () => {
    await clickAndLoad(page, 'Back to synchronization');
    // Hold the run lock so the run is seen in progress; the page must then refresh by itself.
    const release = await acquireRunMutex([example.production], 60_000);
    try {
      await clickAndLoad(page, 'Synchronize');
      expect(page.url()).toMatch(/\/synchro\/runs\/[0-9a-f-]{36}$/);
      await page.getByText('Synchronization in progress').waitFor();
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(1);
    } finally {
      release?.();
    }
    await page.getByText('Synchronization performed successfully.').waitFor();
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await tableRows(page, 'Changes per entity')).toEqual([
      ['customer', '2', '0', '0', '0', '0'],
      ['invoice', '1', '0', '0', '0', '0'],
    ]);
    const acme = await example.production.getRepository(Customer).findOneBy({ code: 'ACME' });
    expect(acme?.name).toBe('Acme Corporation');
    expect(await example.production.getRepository(Invoice).count()).toBe(1);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('a refresh of the result page shows the result again and runs nothing', async () => {
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await page.getByText('Synchronization performed successfully.').waitFor();
    expect(await count(example.production, 'customer')).toBe(2);
    await clickAndLoad(page, 'Back to synchronization');
    expect(await page.getByText('configured remote').count()).toBe(1);
    expect(await page.getByText('No pending changes.').count()).toBe(1);
    expect(await tableRows(page, 'Recent runs')).toHaveLength(2);
    await page.screenshot({ path: join(SCREENSHOT, '..', 'admin-dashboard.png'), fullPage: true });
  });

  it('resets after a confirmation page', async () => {
    await example.office.getRepository(Customer).save({ code: 'INITECH', name: 'Initech' });
    await page.reload();
    expect((await tableRows(page, 'Pending changes'))[0]).toEqual(['customer', '1']);
    await clickAndLoad(page, 'Reset');
    expect(new URL(page.url()).pathname).toBe('/synchro/reset');
    expect(await count(example.office, 'synchro_log')).toBeGreaterThan(0);
    await clickAndLoad(page, 'Yes, reset');
    await page.getByText('Synchronization has been reset.').waitFor();
    expect(await page.getByText('No pending changes.').count()).toBe(1);
    expect(await count(example.office, 'synchro_log')).toBe(0);
    expect(await example.production.getRepository(Customer).findOneBy({ code: 'INITECH' })).toBeNull();
  });

  it('ran under the strict Content-Security-Policy without a single violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
