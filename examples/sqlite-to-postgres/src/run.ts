/** Writes stock on the SQLite side, syncs it to PostgreSQL with the CLI, and checks what arrived. */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import local from './local';
import remote from './remote';
import { StockItem, Warehouse } from './entities';

const here = resolve(__dirname, '..');

async function main(): Promise<void> {
  await recreateRemoteDatabase();
  rmSync(join(here, 'data'), { recursive: true, force: true });
  mkdirSync(join(here, 'data'));
  await local.initialize();
  const north = await local.getRepository(Warehouse).save({ code: 'N1', city: 'Gdańsk' });
  const id = randomUUID();
  await local.getRepository(StockItem).save({
    id,
    warehouse: north,
    sku: 'BOLT-M8',
    quantity: '1250.500',
    serial: '9007199254740993', // above 2^53: survives as a string
    attributes: { finish: 'zinc', sizes: [8, 10] },
  });
  await local.destroy();
  console.log('wrote warehouse N1 and one stock item on SQLite');

  sync('sync', '--local', 'src/local.ts', '--remote', 'src/remote.ts');
  sync('status', '--local', 'src/local.ts', '--remote', 'src/remote.ts');

  await remote.initialize();
  const item = await remote
    .getRepository(StockItem)
    .findOneOrFail({ where: { id }, relations: { warehouse: true } });
  await remote.destroy();
  console.log(
    `PostgreSQL has ${item.sku} x ${item.quantity} in ${item.warehouse.code} (serial ${item.serial})`,
  );
  if (item.serial !== '9007199254740993' || item.quantity !== '1250.500')
    throw new Error('values changed on the way');
}

function sync(...args: string[]): void {
  console.log(`\n$ typeorm-synchro ${args.join(' ')}`);
  const bin = resolve(here, '..', '..', 'dist', 'cli', 'bin.js');
  console.log(execFileSync(process.execPath, [bin, ...args], { cwd: here, encoding: 'utf8' }));
}

async function recreateRemoteDatabase(): Promise<void> {
  const client = new Client({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: 'postgres',
  });
  await client.connect();
  await client.query('DROP DATABASE IF EXISTS synchro_example_pg WITH (FORCE)');
  await client.query('CREATE DATABASE synchro_example_pg');
  await client.end();
}

main().catch((error: unknown) => {
  console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
