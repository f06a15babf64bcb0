/**
 * The published package, as a user gets it: builds into a staging copy (the repo's own dist/ is left
 * alone, so other suites can keep using it), packs it with `npm pack`, installs the tarball into a fresh
 * project outside the repository (typeorm, reflect-metadata, better-sqlite3 and @types/node at the
 * versions this repo uses, from the local npm cache), and checks CommonJS, ESM, the types and the CLI.
 *
 * Run alone with `npm run test:package`. Set SYNCHRO_KEEP_PACKAGE_TEST=1 to keep the temporary
 * directories for inspection.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const SETUP_TIMEOUT = 10 * 60_000;
const STEP_TIMEOUT = 2 * 60_000;

/** Names the package must export (a sample; the full list must be the same in CJS and ESM). */
const REQUIRED_EXPORTS = [
  'SynchroError',
  'synchroEntities',
  'CreateSynchroTables1764300000000',
  'SYNCHRO_TABLES',
];

/** The environment for child processes, without the npm_* variables of an enclosing `npm test`. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  }
  return env;
}

/** Runs a command and returns its stdout; on failure throws with everything it printed. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env: childEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SETUP_TIMEOUT,
    });
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string; message: string };
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed in ${cwd} (exit ${e.status}): ${e.message}\n` +
        `--- stdout ---\n${e.stdout ?? ''}\n--- stderr ---\n${e.stderr ?? ''}`,
    );
  }
}

/** The version of a package installed in the repo (read from disk: some packages do not export package.json). */
function repoVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Writes a consumer file into the fresh project. */
function write(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text.trimStart());
}

const CJS_SMOKE = `
require('reflect-metadata');
const lib = require('typeorm-synchro');
const { DataSource } = require('typeorm');

(async () => {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [...lib.synchroEntities],
    migrations: [lib.CreateSynchroTables1764300000000],
  });
  await ds.initialize();
  await ds.runMigrations();
  const rows = await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  await ds.destroy();
  const error = new lib.SynchroError('INVALID_OPTION', 'bad option', { hint: 'fix it' });
  console.log(JSON.stringify({
    keys: Object.keys(lib).sort(),
    tables: rows.map((row) => row.name),
    errorLine: error instanceof Error ? error.toLine() : null,
  }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const ESM_SMOKE = `
import 'reflect-metadata';
import { createRequire } from 'node:module';
import * as lib from 'typeorm-synchro';
import { SynchroError, synchroEntities } from 'typeorm-synchro';

const cjs = createRequire(import.meta.url)('typeorm-synchro');
console.log(JSON.stringify({
  keys: Object.keys(lib).sort(),
  sameObjects: SynchroError === cjs.SynchroError && synchroEntities === cjs.synchroEntities,
}));
`;

/** Uses the public types; the last line must be an error, or the types would be `any`. */
const TYPED_CONSUMER = `
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import {
  CreateSynchroTables1764300000000,
  SynchroError,
  synchroEntities,
  type ChangeAction,
  type SynchroErrorCode,
} from 'typeorm-synchro';

export const dataSource = new DataSource({
  type: 'better-sqlite3',
  database: ':memory:',
  entities: [...synchroEntities],
  migrations: [CreateSynchroTables1764300000000],
});

export const action: ChangeAction = 'insert';

export function codeOf(error: unknown): SynchroErrorCode | undefined {
  return error instanceof SynchroError ? error.code : undefined;
}

// @ts-expect-error: the declarations are real, so an unknown action does not type-check
export const wrong: ChangeAction = 'upsert';
`;

describe('the packed package', () => {
  let stage: string;
  let work: string;
  let app: string;
  let tarballFiles: string[];

  beforeAll(() => {
    // Build exactly as `npm run build` does, but into a staging copy of the package.
    mkdirSync(join(REPO, 'test-output'), { recursive: true });
    stage = mkdtempSync(join(REPO, 'test-output', 'package-'));
    run(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')], REPO);
    run(process.execPath, [join(REPO, 'scripts', 'write-esm-wrapper.js'), join(stage, 'dist')], REPO);
    for (const file of ['package.json', 'README.md', 'LICENSE']) {
      if (existsSync(join(REPO, file))) cpSync(join(REPO, file), join(stage, file));
    }

    work = mkdtempSync(join(tmpdir(), 'synchro-package-'));
    const packed = JSON.parse(
      run('npm', ['pack', stage, '--pack-destination', work, '--ignore-scripts', '--json'], work),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = join(work, packed[0]!.filename);
    tarballFiles = packed[0]!.files.map((f) => f.path).sort();

    // A fresh project outside the repository, so nothing resolves from the repo's node_modules.
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2));
    const peers = ['typeorm', 'reflect-metadata', 'better-sqlite3', '@types/node'].map(
      (name) => `${name}@${repoVersion(name)}`,
    );
    const install = [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--ignore-scripts',
    ];
    run('npm', [...install, tarball, ...peers], app);
    // --ignore-scripts skips better-sqlite3's native build (minutes on a small machine, with no prebuilt
    // binaries reachable here); the repo's addon is the same version built for this same Node.
    const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(app, addon, '..'), { recursive: true });
    cpSync(join(REPO, addon), join(app, addon));
  }, SETUP_TIMEOUT);

  afterAll(() => {
    if (process.env.SYNCHRO_KEEP_PACKAGE_TEST) {
      process.stderr.write(`package test kept: ${stage} ${work}\n`);
      return;
    }
    if (stage) rmSync(stage, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the build, the README and package.json only', () => {
    for (const file of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/esm/index.mjs',
      'dist/esm/index.d.mts',
    ]) {
      expect(tarballFiles).toContain(file);
    }
    expect(tarballFiles).toContain('package.json');
    expect(tarballFiles).toContain('README.md');
    const stray = tarballFiles.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|dist\/(src|cli|esm)\/.+)$/.test(f),
    );
    expect(stray).toEqual([]);
    expect(
      tarballFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts')),
    ).toEqual([]);
  });

  it('works with require(): exports, the library tables on SQLite, errors', () => {
    write(app, 'cjs-smoke.cjs', CJS_SMOKE);
    const out = JSON.parse(run(process.execPath, ['cjs-smoke.cjs'], app)) as {
      keys: string[];
      tables: string[];
      errorLine: string | null;
    };
    expect(out.keys).toEqual(expect.arrayContaining(REQUIRED_EXPORTS));
    expect(out.tables).toEqual(expect.arrayContaining(['synchro_log', 'synchro_node', 'synchro_id_map']));
    expect(out.errorLine).toBe('INVALID_OPTION: bad option (fix it)');
  });

  it('works with import: the same names, the same objects as require()', () => {
    write(
      app,
      'cjs-keys.cjs',
      "console.log(JSON.stringify(Object.keys(require('typeorm-synchro')).sort()));",
    );
    const cjsKeys = JSON.parse(run(process.execPath, ['cjs-keys.cjs'], app)) as string[];
    write(app, 'esm-smoke.mjs', ESM_SMOKE);
    const out = JSON.parse(run(process.execPath, ['esm-smoke.mjs'], app)) as {
      keys: string[];
      sameObjects: boolean;
    };
    expect(out.keys).toEqual(cjsKeys);
    expect(out.keys).toEqual(expect.arrayContaining(REQUIRED_EXPORTS));
    expect(out.sameObjects).toBe(true);
  });

  it.each([
    ['CommonJS, node10 resolution', ['--module', 'commonjs', '--moduleResolution', 'node10'], 'consumer.ts'],
    ['CommonJS under nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext'], 'consumer.ts'],
    ['ESM under nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext'], 'consumer.mts'],
    ['a bundler', ['--module', 'esnext', '--moduleResolution', 'bundler'], 'consumer.ts'],
  ])(
    'type-checks a consumer (%s)',
    (_label, flags, file) => {
      write(app, file, TYPED_CONSUMER);
      const common = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--types', 'node'];
      run(process.execPath, [TSC, ...common, ...flags, file], app);
    },
    STEP_TIMEOUT,
  );

  it('runs the CLI: `npx typeorm-synchro --help` prints usage', () => {
    // The CLI (cli/bin.ts -> dist/cli/bin.js) is still being written; until it is in the tarball this
    // check is skipped. Once it exists it must pass, and this guard can go.
    if (!tarballFiles.includes('dist/cli/bin.js')) {
      process.stderr.write('package test: dist/cli/bin.js is not built yet; CLI check skipped\n');
      return;
    }
    const out = run('npx', ['--no', '--', 'typeorm-synchro', '--help'], app);
    // `--no`: never fetch from the registry; `--`: the rest goes to our CLI, not to npx.
    expect(out).toMatch(/typeorm-synchro sync\b/);
    expect(out).toMatch(/--help/);
  });
});
