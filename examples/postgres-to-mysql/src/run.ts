/**
 * Two-way sync between PostgreSQL and MySQL/MariaDB: a thread of posts goes from PostgreSQL to MySQL,
 * is edited on MySQL, and the edit comes back, with no duplicate and no echo.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import { mysql, postgres } from './data-sources';
import { Post, Topic } from './entities';

const here = resolve(__dirname, '..');

async function main(): Promise<void> {
  await recreateDatabases();
  await postgres.initialize();
  const [news, tech] = await postgres.getRepository(Topic).save([{ name: 'news' }, { name: 'tech' }]);
  const first = await postgres
    .getRepository(Post)
    .save({ body: 'Servers are back', replyTo: null, topics: [news!] });
  await postgres.getRepository(Post).save({ body: 'Great, thanks!', replyTo: first, topics: [news!, tech!] });
  await postgres.destroy();
  console.log('PostgreSQL: 2 topics, a post and a reply');

  cli('sync', '--local', 'src/postgres.ts', '--remote', 'src/mysql.ts');

  await mysql.initialize();
  await mysql
    .getRepository(Post)
    .update({ body: 'Great, thanks!' }, { body: 'Great, thanks! (edited on MySQL)' });
  await mysql.destroy();
  console.log('MySQL: the reply was edited');

  cli('sync', '--local', 'src/mysql.ts', '--remote', 'src/postgres.ts');
  cli('sync', '--local', 'src/postgres.ts', '--remote', 'src/mysql.ts');

  await postgres.initialize();
  const posts = await postgres
    .getRepository(Post)
    .find({ relations: { replyTo: true, topics: true }, order: { id: 'ASC' } });
  await postgres.destroy();
  for (const p of posts)
    console.log(`PostgreSQL post #${p.id}: ${p.body} ${p.replyTo ? `(reply to #${p.replyTo.id})` : ''}`);
  if (posts.length !== 2 || posts[1]?.body !== 'Great, thanks! (edited on MySQL)')
    throw new Error('unexpected posts');
}

function cli(...args: string[]): void {
  console.log(`\n$ typeorm-synchro ${args.join(' ')}`);
  const bin = resolve(here, '..', '..', 'dist', 'cli', 'bin.js');
  console.log(execFileSync(process.execPath, [bin, ...args], { cwd: here, encoding: 'utf8' }));
}

async function recreateDatabases(): Promise<void> {
  const pg = new Client({
    host: process.env.PGHOST ?? '127.0.0.1',
    user: process.env.PGUSER ?? 'postgres',
    database: 'postgres',
  });
  await pg.connect();
  await pg.query('DROP DATABASE IF EXISTS synchro_example_src WITH (FORCE)');
  await pg.query('CREATE DATABASE synchro_example_src');
  await pg.end();
  const my = await createConnection({
    host: process.env.MYSQL_HOST ?? '127.0.0.1',
    user: process.env.MYSQL_USER ?? 'root',
    password: process.env.MYSQL_PASSWORD ?? '',
  });
  await my.query('DROP DATABASE IF EXISTS synchro_example_my');
  await my.query('CREATE DATABASE synchro_example_my');
  await my.end();
}

main().catch((error: unknown) => {
  console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
