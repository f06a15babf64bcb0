/**
 * Guards the SYNCHRO_TYPEORM_PATH switch of jest.config.js (used by .ci/run for the newest TypeORM 0.3):
 * the tests and the library must load THAT TypeORM, with the repo's single reflect-metadata and
 * better-sqlite3. Without the variable there is nothing to check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const given = process.env.SYNCHRO_TYPEORM_PATH;
const REPO = join(__dirname, '..', '..');

(given ? describe : describe.skip)('SYNCHRO_TYPEORM_PATH', () => {
  const base = resolve(REPO, given ?? '.');
  const dir = [join(base, 'node_modules', 'typeorm'), base].find((d) => existsSync(join(d, 'package.json')))!;
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;

  it(`loads TypeORM ${version} from ${dir}`, () => {
    expect(jest.requireActual('typeorm')).toBe(jest.requireActual(join(dir, 'index.js')));
    const driver = jest.requireActual<object>('typeorm/driver/sqlite-abstract/AbstractSqliteDriver');
    expect(driver).toBe(
      jest.requireActual(join(dir, 'driver', 'sqlite-abstract', 'AbstractSqliteDriver.js')),
    );
  });

  it("keeps the repo's reflect-metadata and better-sqlite3", () => {
    expect(jest.requireActual('reflect-metadata')).toBe(
      jest.requireActual(join(REPO, 'node_modules', 'reflect-metadata')),
    );
    expect(jest.requireActual('better-sqlite3')).toBe(
      jest.requireActual(join(REPO, 'node_modules', 'better-sqlite3')),
    );
  });
});
