/**
 * The admin page's browser test (`npm run test:browser`): drives Debian's Chromium
 * (/usr/bin/chromium, `apt-get install -y chromium`) with playwright-core. Kept out of `npm test`:
 * its files end in `.browser.ts`, which the default projects do not match.
 */
module.exports = {
  rootDir: '../..',
  displayName: 'browser',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/admin/browser'],
  testMatch: ['**/*.browser.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
  },
  testTimeout: 180000,
  maxWorkers: 1,
};
