/**
 * One shared suite; each test file creates and drops its own databases.
 *
 * Projects: `functional` (test/**, the default), `package` (test/package: packs and installs the
 * package; `npm run test:package`), `soak` (test/soak, only with SYNCHRO_SOAK=1: `npm run soak`).
 *
 * SYNCHRO_TYPEORM_PATH=<dir> runs the suite against another TypeORM: <dir>/node_modules/typeorm
 * (or <dir> itself when it is the typeorm package). reflect-metadata and better-sqlite3 stay the
 * repo's single copies. .ci/run uses it for the newest TypeORM 0.3.
 */
const { existsSync } = require('node:fs');
const path = require('node:path');

function typeormMapper() {
  const given = process.env.SYNCHRO_TYPEORM_PATH;
  if (!given) return {};
  const base = path.resolve(__dirname, given);
  const dir = [path.join(base, 'node_modules', 'typeorm'), base].find((d) =>
    existsSync(path.join(d, 'package.json')),
  );
  if (!dir || !existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`SYNCHRO_TYPEORM_PATH=${given}: no typeorm package at ${base}[/node_modules/typeorm]`);
  }
  return {
    '^typeorm$': path.join(dir, 'index.js'),
    '^typeorm/(.*)$': `${dir}/$1`,
    '^reflect-metadata$': require.resolve('reflect-metadata'),
    '^better-sqlite3$': require.resolve('better-sqlite3'),
  };
}

const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
  },
  moduleNameMapper: typeormMapper(),
};

const functional = {
  ...common,
  displayName: 'functional',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/soak/', '<rootDir>/test/package/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};

const packageProject = {
  ...common,
  displayName: 'package',
  roots: ['<rootDir>/test/package'],
  testMatch: ['**/*.test.ts'],
};

const soak = {
  ...common,
  displayName: 'soak',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/soak/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};

module.exports = {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [functional, packageProject, ...(process.env.SYNCHRO_SOAK ? [soak] : [])],
};
