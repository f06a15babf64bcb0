/**
 * The seed's Example 1, end to end on two SQLite files: production on the web, a fallback copy in
 * the office, an outage, and `typeorm-synchro sync` carrying the office's changes back.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { Customer, Order, Tag } from './entities';
import { makeDataSource } from './make-data-source';

const here = resolve(__dirname, '..');
const bin = resolve(here, '..', '..', 'dist', 'cli', 'bin.js');

async function main(): Promise<void> {
  rmSync(join(here, 'data'), { recursive: true, force: true });
  mkdirSync(join(here, 'data'));

  step('1. Production runs with some data');
  await withDb('production.sqlite', seedProduction);

  step("2. The nightly export/import: the office database is restored from production's dump");
  copyFileSync(join(here, 'data', 'production.sqlite'), join(here, 'data', 'office.sqlite'));
  cli('adopt', '--local', 'src/office.ts', '--remote', 'src/production.ts');

  step('3. Production is down: staff keep working on the office copy');
  await withDb('office.sqlite', workInTheOffice);
  cli('status', '--local', 'src/office.ts');

  step('4. Production is back: carry every office change over');
  cli('sync', '--local', 'src/office.ts', '--remote', 'src/production.ts');

  step('5. Production now holds');
  await withDb('production.sqlite', show);

  step('6. Synchronizing again finds nothing new');
  cli('sync', '--local', 'src/office.ts', '--remote', 'src/production.ts');
}

async function seedProduction(ds: DataSource): Promise<void> {
  const [acme] = await ds.getRepository(Customer).save([
    { code: 'ACME', name: 'Acme' },
    { code: 'GLOBEX', name: 'Globex' },
  ]);
  const [urgent] = await ds.getRepository(Tag).save([{ label: 'urgent' }, { label: 'paid' }]);
  await ds
    .getRepository(Order)
    .save({ customer: acme, amount: '120.00', description: 'anvils', tags: [urgent!] });
  say('2 customers, 2 tags, 1 order (Acme: anvils, tagged urgent)');
}

async function workInTheOffice(ds: DataSource): Promise<void> {
  const customers = ds.getRepository(Customer);
  const tags = await ds.getRepository(Tag).find({ order: { label: 'ASC' } });
  const initech = await customers.save({ code: 'INITECH', name: 'Initech' });
  await ds.getRepository(Order).save({ customer: initech, amount: '75.50', description: 'staplers', tags });
  say('new customer Initech with an order for staplers, tagged paid and urgent');
  await customers.update({ code: 'GLOBEX' }, { name: 'Globex Corporation' });
  say('Globex renamed to Globex Corporation (a bulk update by criteria: logged too)');
  const anvils = await ds
    .getRepository(Order)
    .findOneOrFail({ where: { description: 'anvils' }, relations: { tags: true } });
  anvils.tags = tags.filter((t) => t.label === 'paid');
  await ds.getRepository(Order).save(anvils);
  say('the anvils order is now tagged paid instead of urgent (a many-to-many change)');
}

async function show(ds: DataSource): Promise<void> {
  for (const c of await ds.getRepository(Customer).find({ order: { code: 'ASC' } })) {
    say(`customer ${c.code.padEnd(8)} ${c.name.padEnd(20)} balance ${String(c.balance)}`);
  }
  const orders = await ds
    .getRepository(Order)
    .find({ relations: { customer: true, tags: true }, order: { id: 'ASC' } });
  for (const o of orders) {
    const tags = o.tags
      .map((t) => t.label)
      .sort()
      .join(', ');
    say(
      `order #${o.id} ${o.customer.code.padEnd(8)} ${o.description.padEnd(10)} ${String(o.amount).padStart(7)} [${tags}]`,
    );
  }
}

async function withDb(file: string, fn: (ds: DataSource) => Promise<void>): Promise<void> {
  const ds = await makeDataSource(file).initialize();
  try {
    await fn(ds);
  } finally {
    await ds.destroy();
  }
}

function cli(...args: string[]): void {
  process.stdout.write(`\n  $ typeorm-synchro ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: here, encoding: 'utf8' });
  const text = `${run.stdout}${run.stderr}`.trimEnd();
  process.stdout.write(`${text.replace(/^/gm, '    ')}\n`);
  if (run.status !== 0) throw new Error(`typeorm-synchro ${args[0]} exited with ${String(run.status)}`);
}

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function say(text: string): void {
  process.stdout.write(`  ${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`example failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
