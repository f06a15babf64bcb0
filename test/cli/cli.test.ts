import 'reflect-metadata';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { InvalidOptionError, runInNoLogContext, synchronize, type SyncResult } from '../../src/index';
import { describeEachPair } from '../support/describe-dialects';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { cli, cliProcess } from './cli-harness';
import { makeProjectDir, writeCliProject } from './cli-fixtures';

/** The error line `synchronize()` itself gives for `batchSize` (it fails before touching a database). */
async function libraryRefusal(batchSize: number): Promise<string> {
  const unused = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
  const error: unknown = await synchronize({ local: unused, remote: unused, batchSize }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidOptionError);
  return `error ${(error as InvalidOptionError).toLine()}`;
}

async function loadSide(dir: string, side: string): Promise<DataSource> {
  const mod = (await import(join(dir, `${side}.ts`))) as { default: DataSource };
  return mod.default.isInitialized ? mod.default : mod.default.initialize();
}

describe('typeorm-synchro CLI: arguments', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProjectDir();
    writeCliProject(dir, {
      local: { type: 'better-sqlite3', database: join(dir, 'local.sqlite') },
      remote: { type: 'better-sqlite3', database: join(dir, 'remote.sqlite') },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help names every command, from a real process', () => {
    const run = cliProcess(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['sync', 'status', 'reset', 'prune', 'adopt', 'migration:create'])
      expect(run.stdout).toContain(command);
  });

  it('TypeScript 7 in the project: a DATA_SOURCE_LOAD line that names it and says to install 5', () => {
    const project = makeProjectDir();
    try {
      writeCliProject(project, {
        local: { type: 'better-sqlite3', database: join(project, 'local.sqlite') },
      });
      // What `npm install typescript` puts there since 7.0: only its manifest is read before ts-node starts.
      mkdirSync(join(project, 'node_modules', 'typescript'), { recursive: true });
      writeFileSync(
        join(project, 'node_modules', 'typescript', 'package.json'),
        JSON.stringify({ name: 'typescript', version: '7.0.2' }),
      );
      const run = cliProcess(['status', '--local', 'local.ts'], project);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^error DATA_SOURCE_LOAD: .*local\.ts.*ts-node cannot load \.ts files with TypeScript 7\.0\.2.*typescript@5/,
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('an unknown flag is one clear line with a suggestion and exit code 1', async () => {
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--dry-rn'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/Unknown argument: dry-rn.*did you mean --dry-run/);
  });

  it('an unknown command suggests the closest one', async () => {
    const run = await cli(['synk'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error USAGE: Unknown command: synk (did you mean sync?) (see --help)');
  });

  it('a value outside the choices is one line naming the flag, the choices and the nearest one', async () => {
    const flag = await cli(['sync', '--local', 'local.ts', '--conflict', 'newst'], { cwd: dir });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toBe(
      'error USAGE: Invalid value for --conflict: "newst" (choose newest, local, remote; did you mean newest?) (see --help)',
    );
    process.env.SYNCHRO_ON_ERROR = 'skpi';
    try {
      const env = await cli(['sync', '--local', 'local.ts'], { cwd: dir });
      expect(env.stderr).toBe(
        'error USAGE: Invalid value for --on-error from SYNCHRO_ON_ERROR or the config file: "skpi" (choose abort, skip; did you mean skip?) (see --help)',
      );
    } finally {
      delete process.env.SYNCHRO_ON_ERROR;
    }
  });

  it('a number flag given a word names the flag, not the library option, and loads nothing', async () => {
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--batch-size', 'abc'], {
      cwd: dir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error INVALID_OPTION: --batch-size: not a number \(pass a number/);
    expect(existsSync(join(dir, 'local.sqlite'))).toBe(false);
  });

  it('sync --help shows the defaults the run will use, from a real process', () => {
    const run = cliProcess(['sync', '--help'], dir);
    expect(run.stdout).toMatch(/--batch-size +Log rows per page .*\[default: 2000\]/);
    expect(run.stdout).toMatch(/--conflict +Who wins[^\n]*\n[^\n]*\[default: "newest"\]/);
    expect(run.stdout).toMatch(/--lock-timeout +Milliseconds[^\n]*\[default: 10000\]/);
  });

  it.each([0, 100001])(
    '--batch-size %s is refused with the library’s message, before anything is loaded',
    async (size) => {
      const run = await cli(
        ['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--batch-size', String(size)],
        { cwd: dir },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^error INVALID_OPTION: batchSize: \d+ is not a positive integer up to 100000/,
      );
      expect(run.stderr).toBe(await libraryRefusal(size));
      expect(existsSync(join(dir, 'local.sqlite'))).toBe(false);
    },
  );

  it('sync without a remote says so (NO_REMOTE)', async () => {
    const run = await cli(['sync', '--local', 'local.ts'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error NO_REMOTE: No remote data source specified/);
  });

  it('a DataSource file that does not exist, exports nothing or exports two is a DATA_SOURCE_LOAD error', async () => {
    writeFileSync(join(dir, 'nothing.js'), 'module.exports = { answer: 42 };\n');
    writeFileSync(
      join(dir, 'two.ts'),
      `import { DataSource } from 'typeorm';\nexport const a = new DataSource({ type: 'better-sqlite3', database: ':memory:' });\nexport const b = new DataSource({ type: 'better-sqlite3', database: ':memory:' });\n`,
    );
    const missing = await cli(['status', '--local', 'nope.ts'], { cwd: dir });
    const nothing = await cli(['status', '--local', 'nothing.js'], { cwd: dir });
    const two = await cli(['status', '--local', 'two.ts'], { cwd: dir });
    expect([missing.code, nothing.code, two.code]).toEqual([1, 1, 1]);
    expect(missing.stderr).toMatch(/DATA_SOURCE_LOAD: .*nope\.ts: file not found/);
    expect(nothing.stderr).toMatch(/DATA_SOURCE_LOAD: .*exports no TypeORM DataSource/);
    expect(two.stderr).toMatch(/DATA_SOURCE_LOAD: .*exports 2 DataSources \(a, b\)/);
  });

  it('reset refuses without --yes when not on a terminal, and asks on one', async () => {
    const refused = await cli(['reset', '--local', 'local.ts'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/INVALID_OPTION: --yes: .*not a terminal/);
    const declined = await cli(['reset', '--local', 'local.ts'], { cwd: dir, tty: true, answer: false });
    expect(declined.code).toBe(1);
    const accepted = await cli(['reset', '--local', 'local.ts'], { cwd: dir, tty: true, answer: true });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('Synchronization has been reset.');
  });

  it('migration:create writes frozen SQL for the chosen database', async () => {
    const run = await cli(['migration:create', '--dialect', 'postgres', '--dir', 'migrations'], { cwd: dir });
    expect(run.code).toBe(0);
    const [file] = readdirSync(join(dir, 'migrations'));
    const source = readFileSync(join(dir, 'migrations', file!), 'utf8');
    expect(source).toMatch(/export class CreateSynchroTables\d+ implements MigrationInterface/);
    expect(source).toContain('CREATE TABLE \\"synchro_log\\" (\\"id\\" BIGSERIAL NOT NULL');
  });

  it('the config file supplies defaults and flags override it', async () => {
    writeFileSync(
      join(dir, 'typeorm-synchro.config.js'),
      `module.exports = { local: './local.ts', remote: './remote.ts', batchSize: 0 };\n`,
    );
    try {
      const fromConfig = await cli(['sync'], { cwd: dir });
      expect(fromConfig.stderr).toMatch(/INVALID_OPTION: batchSize: 0 is not a positive integer/);
      const overridden = await cli(['sync', '--batch-size', '50', '--json'], { cwd: dir });
      expect(overridden.code).toBe(0);
      expect((JSON.parse(overridden.stdout) as SyncResult).status).toBe('no-changes');
    } finally {
      rmSync(join(dir, 'typeorm-synchro.config.js'));
    }
  });

  it('SYNCHRO_* environment variables override the config file, and flags override them', async () => {
    writeFileSync(
      join(dir, 'typeorm-synchro.config.js'),
      `module.exports = { local: './local.ts', remote: './remote.ts', batchSize: 10 };\n`,
    );
    process.env.SYNCHRO_BATCH_SIZE = '0';
    try {
      const fromEnv = await cli(['sync'], { cwd: dir });
      expect(fromEnv.stderr).toMatch(/INVALID_OPTION: batchSize: 0 is not a positive integer/);
      const fromFlag = await cli(['sync', '--batch-size', '7', '--json'], { cwd: dir });
      expect(fromFlag.code).toBe(0);
    } finally {
      delete process.env.SYNCHRO_BATCH_SIZE;
      rmSync(join(dir, 'typeorm-synchro.config.js'));
    }
  });
});

describeEachPair('typeorm-synchro CLI end to end', (pair) => {
  let dir: string;
  let dbs: TestDatabase[];
  let local: DataSource;
  let remote: DataSource;

  beforeAll(async () => {
    dir = makeProjectDir();
    dbs = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
    writeCliProject(dir, {
      local: dbs[0]!.options as DataSourceOptions,
      remote: dbs[1]!.options as DataSourceOptions,
    });
    local = await loadSide(dir, 'local');
    remote = await loadSide(dir, 'remote');
  });
  afterAll(async () => {
    await local?.destroy();
    await remote?.destroy();
    for (const db of dbs ?? []) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status shows the pending changes; sync --json delivers them; status then shows the checkpoint', async () => {
    const author = await local.getRepository('Author').save({ code: 'TOLKIEN', name: 'Tolkien', views: 5 });
    const genres = await local.getRepository('Genre').save([{ label: 'fantasy' }, { label: 'classic' }]);
    await local.getRepository('Book').save({ title: 'The Hobbit', author, genres });

    const before = await cli(['status', '--local', 'local.ts', '--json'], { cwd: dir });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).pending).toEqual({ author: 1, genre: 2, book: 1 });

    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as SyncResult;
    expect(result.status).toBe('synced');
    expect(result.counts.book).toMatchObject({ inserted: 1 });
    const books = await remote.getRepository('Book').find({ relations: { author: true, genres: true } });
    expect(books).toHaveLength(1);
    expect(books[0]).toMatchObject({ title: 'The Hobbit', author: { code: 'TOLKIEN', views: 0 } });

    const after = await cli(['status', '--local', 'local.ts', '--remote', 'remote.ts', '--json'], {
      cwd: dir,
    });
    const status = JSON.parse(after.stdout);
    expect(status.pending).toEqual({});
    expect(status.peers).toHaveLength(1);
    expect(typeof status.clockSkewMs).toBe('number');

    // As a table, the peer the --remote file reaches is marked (peers are otherwise bare node ids).
    const table = await cli(['status', '--local', 'local.ts', '--remote', 'remote.ts'], { cwd: dir });
    expect(table.stdout).toContain(`${status.remoteNodeId as string} (--remote)`);
    const alone = await cli(['status', '--local', 'local.ts'], { cwd: dir });
    expect(alone.stdout).not.toContain('(--remote)');
  });

  it('prints a readable summary table without --json, and "No changes" the second time', async () => {
    await local.getRepository('Author').update({ code: 'TOLKIEN' }, { name: 'J. R. R. Tolkien' });
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Synchronization performed successfully.');
    expect(run.stdout).toMatch(/entity\s+inserted\s+updated\s+deleted\s+m2m\s+skipped\s+conflicts/);
    expect(run.stdout).toMatch(/author\s+0\s+1\s+0\s+0\s+0\s+0/);
    const again = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts'], { cwd: dir });
    expect(again.stdout).toContain('No changes since last synchronization.');
  });

  it('--dry-run (or SYNCHRO_DRY_RUN) shows the plan and writes nothing', async () => {
    await local.getRepository('Genre').save({ label: 'poetry' });
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--dry-run', '--json'], {
      cwd: dir,
    });
    expect(JSON.parse(run.stdout).status).toBe('dry-run');
    expect(await remote.getRepository('Genre').countBy({ label: 'poetry' })).toBe(0);
    process.env.SYNCHRO_DRY_RUN = '1';
    try {
      const fromEnv = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--json'], {
        cwd: dir,
      });
      expect(JSON.parse(fromEnv.stdout).status).toBe('dry-run');
    } finally {
      delete process.env.SYNCHRO_DRY_RUN;
    }
    expect(await remote.getRepository('Genre').countBy({ label: 'poetry' })).toBe(0);
  });

  it('exits 2 when objects were skipped under --on-error skip', async () => {
    const ghost = await local.getRepository('Genre').save({ label: 'ghost' });
    await runInNoLogContext(() => local.getRepository('Genre').delete(ghost.id));
    const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--on-error', 'skip'], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/skipped: genre/);
    expect(await remote.getRepository('Genre').countBy({ label: 'poetry' })).toBe(1);
  });

  it('--both-ways sends each side its changes back and forth, each direction under its own heading', async () => {
    await local.getRepository('Author').save({ code: 'LEWIS', name: 'Lewis' });
    await synchronize({ local, remote });
    await local.getRepository('Genre').save({ label: 'sci-fi' });
    await remote.getRepository('Genre').save({ label: 'horror' });
    await remote.getRepository('Author').update({ code: 'LEWIS' }, { name: 'Lewis (production)' });
    await local.getRepository('Author').update({ code: 'LEWIS' }, { name: 'Lewis (office)' });

    const args = ['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--both-ways'];
    const run = await cli([...args, '--conflict', 'remote', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const { localToRemote, remoteToLocal } = JSON.parse(run.stdout) as Record<string, SyncResult>;
    expect(localToRemote?.counts.genre).toMatchObject({ inserted: 1 });
    expect(localToRemote?.conflicts).toEqual([
      expect.objectContaining({ entity: 'author', decision: 'remote' }),
    ]);
    expect(remoteToLocal?.counts.genre).toMatchObject({ inserted: 1 });
    for (const side of [local, remote]) {
      expect(await side.getRepository('Genre').countBy([{ label: 'sci-fi' }, { label: 'horror' }])).toBe(2);
      expect(await side.getRepository('Author').findOneBy({ code: 'LEWIS' })).toMatchObject({
        name: 'Lewis (production)',
      });
    }

    const again = await cli(args, { cwd: dir });
    expect(again.stdout.split('\n').filter((l) => /^\S+ → \S+:$/.test(l))).toEqual([
      'local.ts → remote.ts:',
      'remote.ts → local.ts:',
    ]);
    expect(again.stdout.match(/No changes since last synchronization\./g)).toHaveLength(2);
  });

  it('prune deletes delivered log rows', async () => {
    const run = await cli(['prune', '--local', 'local.ts'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Pruned [1-9]\d* delivered log rows/);
  });
});

describe('typeorm-synchro CLI: adopt a restored copy (SQLite files)', () => {
  it('refuses to sync a restored copy until it is adopted, then syncs both ways', async () => {
    const dir = makeProjectDir();
    try {
      writeCliProject(dir, {
        local: { type: 'better-sqlite3', database: join(dir, 'office.sqlite') },
        remote: { type: 'better-sqlite3', database: join(dir, 'production.sqlite') },
        backup: { type: 'better-sqlite3', database: join(dir, 'backup.sqlite') },
      });
      const production = await loadSide(dir, 'remote');
      await production.getRepository('Author').save({ code: 'A', name: 'Anna' });
      await production.destroy();
      // A first real sync gives production its node identity, which the copy then shares.
      const seeded = await cli(['sync', '--local', 'remote.ts', '--remote', 'backup.ts'], { cwd: dir });
      expect(seeded.code).toBe(0);
      copyFileSync(join(dir, 'production.sqlite'), join(dir, 'office.sqlite'));

      const refused = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts'], { cwd: dir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/SAME_NODE_IDENTITY: .*adopt/);

      const adopted = await cli(['adopt', '--local', 'local.ts', '--remote', 'remote.ts'], { cwd: dir });
      expect(adopted.code).toBe(0);
      const office = await loadSide(dir, 'local');
      await office.getRepository('Author').update({ code: 'A' }, { name: 'Anna K.' });
      await office.destroy();
      const synced = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--json'], {
        cwd: dir,
      });
      expect(JSON.parse(synced.stdout).counts.author).toMatchObject({ updated: 1, inserted: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('typeorm-synchro CLI: --both-ways when the way back fails (SQLite files)', () => {
  it('says the first direction was applied, then the error (with --json: both, on stdout), and exits 1', async () => {
    const dir = makeProjectDir();
    try {
      writeCliProject(dir, {
        local: { type: 'better-sqlite3', database: join(dir, 'office.sqlite') },
        remote: { type: 'better-sqlite3', database: join(dir, 'production.sqlite') },
      });
      const office = await loadSide(dir, 'local');
      const production = await loadSide(dir, 'remote');
      await office.getRepository('Genre').save({ label: 'essay' });
      await production.getRepository('Genre').save({ label: 'refused by the office' });
      await office.query(
        `CREATE TRIGGER refuse BEFORE INSERT ON genre WHEN NEW.label LIKE 'refused%' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
      await office.destroy();
      await production.destroy();

      const run = await cli(['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--both-ways'], {
        cwd: dir,
      });
      expect(run.code).toBe(1);
      const [applied, error] = run.stderr.split('\n');
      expect(applied).toBe('local.ts → remote.ts was applied; remote.ts → local.ts failed:');
      expect(error).toMatch(/^error [A-Z_]+: .*genre/);
      const after = await loadSide(dir, 'remote');
      expect(await after.getRepository('Genre').countBy({ label: 'essay' })).toBe(1);
      await after.destroy();

      // With --json, stdout still says what was applied, and the error of the way back.
      const json = await cli(
        ['sync', '--local', 'local.ts', '--remote', 'remote.ts', '--both-ways', '--json'],
        {
          cwd: dir,
        },
      );
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        localToRemote: { status: 'no-changes' },
        remoteToLocal: { error: { code: 'APPLY_FAILED', message: expect.stringMatching(/genre/) } },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
