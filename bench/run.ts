import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import type { TestDialect } from '../test/support/dialects';
import { mysqlServer, postgresServer } from '../test/support/servers';
import { captureBench } from './capture-bench';
import { memoryBench } from './memory-bench';
import { checkTargets, renderTables, type BenchResults } from './report';
import { scaleBench } from './scale-bench';
import { throughputBench } from './throughput-bench';
import { note } from './timing';

type Section = 'capture' | 'sync' | 'scale' | 'memory';
const SECTIONS: Section[] = ['capture', 'sync', 'scale', 'memory'];
const PAIRS: [TestDialect, TestDialect][] = [
  ['sqlite', 'postgres'],
  ['postgres', 'mysql'],
  ['mysql', 'sqlite'],
];

interface Args {
  quick: boolean;
  only: Section[];
  /** Sync pairs to run, as `source->target` (all by default). */
  pairs: [TestDialect, TestDialect][];
  out: string;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = (value('only')?.split(',') ?? SECTIONS) as Section[];
  const out =
    value('out') ??
    (quick ? join(tmpdir(), 'typeorm-synchro-bench-quick.json') : resolve('bench/results.json'));
  const named = value('pairs')?.split(',');
  const pairs = PAIRS.filter(([source, target]) => named?.includes(`${source}->${target}`) ?? true);
  return { quick, only, pairs, out };
}

/** Full sizes from the issue; `--quick` divides each by ten. */
function sizesOf(quick: boolean) {
  const f = quick ? 10 : 1;
  return {
    capture: { singleSaves: 1000 / f, bulkSave: 10_000 / f, updates: 1000 / f, rounds: quick ? 1 : 5 },
    syncItems: 100_000 / f,
    syncRounds: quick ? 3 : 5,
    naiveItems: 10_000 / f,
    scale: {
      changes: 1000 / f,
      smallTable: 10_000 / f,
      bigTable: 1_000_000 / f,
      deliveredLog: 1_000_000 / f,
      runs: 5,
      idleRuns: quick ? 3 : 5,
    },
    memory: { small: 10_000 / f, large: 1_000_000 / f },
  };
}

async function serverVersions(): Promise<Record<string, string>> {
  const pg = new Client({ ...postgresServer, database: 'postgres' });
  await pg.connect();
  const pgVersion = ((await pg.query('SHOW server_version')).rows[0] as { server_version: string })
    .server_version;
  await pg.end();
  const my = await createConnection(mysqlServer);
  const [rows] = await my.query('SELECT VERSION() AS v');
  await my.end();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite = require('better-sqlite3') as new (path: string) => {
    prepare(s: string): { get(): { v: string } };
  };
  return {
    postgres: pgVersion,
    mariadb: (rows as { v: string }[])[0]?.v ?? '?',
    sqlite: new sqlite(':memory:').prepare('SELECT sqlite_version() AS v').get().v,
  };
}

function packageVersion(name: string): string {
  const file = resolve('node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

async function metaOf(args: Args): Promise<Record<string, unknown>> {
  return {
    mode: args.quick ? 'quick' : 'full',
    started_at: new Date().toISOString(),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? '?',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    typeorm: packageVersion('typeorm'),
    better_sqlite3: packageVersion('better-sqlite3'),
    databases: await serverVersions(),
    loadavg_start: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sizes = sizesOf(args.quick);
  const started = Date.now();
  const results: BenchResults = {
    capture: {},
    sync: {},
    scale: {},
    memory: {},
    idle: {},
    targets: [],
    meta: await metaOf(args),
  };
  if (args.only.includes('capture')) {
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const)
      results.capture[dialect] = await captureBench(dialect, sizes.capture);
  }
  if (args.only.includes('sync')) {
    for (const [source, target] of args.pairs)
      results.sync[`${source}->${target}`] = await throughputBench(
        source,
        target,
        sizes.syncItems,
        sizes.naiveItems,
        sizes.syncRounds,
      );
  }
  if (args.only.includes('scale')) {
    const { scale, idle } = await scaleBench('sqlite', 'postgres', sizes.scale);
    Object.assign(results, { scale, idle });
  }
  if (args.only.includes('memory'))
    results.memory = await memoryBench(sizes.memory.small, sizes.memory.large);
  results.targets = checkTargets(results);
  Object.assign(results.meta, {
    duration_s: Math.round((Date.now() - started) / 1000),
    loadavg_end: loadavg().map((l) => Math.round(l * 100) / 100),
  });
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `${renderTables(results)}\n\nwrote ${args.out} in ${results.meta.duration_s as number} s\n`,
  );
  note('done');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exitCode = 1;
});
