import './support/tz';
import 'reflect-metadata';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { writeLogRows } from '../../src/capture/log-writer';
import { SynchroError } from '../../src/core/errors';
import { synchronize } from '../../src/sync/synchronizer';
import type { SyncResult } from '../../src/sync/sync-result';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';

const ROOT = join(__dirname, '..', '..');

/** Runs the repository's ESLint in a child process (its flat config is ESM, which Jest's VM cannot load). */
function lint(
  args: string[],
  stdin?: string,
): { filePath: string; messages: { ruleId: string | null; line: number; message: string }[] }[] {
  const bin = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const run = spawnSync(process.execPath, [bin, '--format', 'json', ...args], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
  });
  return JSON.parse(run.stdout) as ReturnType<typeof lint>;
}

const restricted = (results: ReturnType<typeof lint>) =>
  results.flatMap((r) =>
    r.messages
      .filter((m) => m.ruleId === 'no-restricted-syntax')
      .map((m) => `${r.filePath}:${m.line} ${m.message}`),
  );

describe('security: the lint rule against SQL built from values', () => {
  it('flags a value pasted into SQL, SQL concatenation and compiling data into code', () => {
    const probe = [
      'export async function bad(db: { query(s: string): Promise<unknown> }, name: string, code: string) {',
      "  await db.query(`SELECT * FROM t WHERE name = '${name}' AND x = 1`);",
      `  await db.query("DELETE FROM t WHERE id = '" + name + "'");`,
      "  return new Function('x', code);",
      '}',
    ].join('\n');
    expect(restricted(lint(['--stdin', '--stdin-filename', 'src/security-probe.ts'], probe))).toHaveLength(3);
  });

  it('finds none in src/ and cli/', () => {
    expect(restricted(lint(['src', 'cli']))).toEqual([]);
  }, 120_000);
});

/** Every name is a reserved word: the library must escape identifiers on every database. */
@Synchro()
@Entity('select')
class Reserved {
  @PrimaryColumn({ type: 'varchar', length: 60, name: 'order' }) key!: string;
  @Column({ type: 'varchar', length: 200, name: 'where' }) text!: string;
  @Column({ type: 'varchar', length: 60, name: 'from', nullable: true }) other!: string | null;
}

const HOSTILE = [
  '\'; DROP TABLE "select"; --',
  "a\\' OR '1'='1",
  '$1 ? :name @p0 %s',
  '`backtick` "double" \\\\ back\\slash',
  'ünïcödé ✓ 𝄞 NUL-free',
];

describeEachPair('security: hostile values and names', (pair) => {
  const db = useSyncPair(pair, [Reserved]);

  const rows = async (ds: DataSource) =>
    (await ds.getRepository(Reserved).find()).map((r) => JSON.stringify([r.key, r.text, r.other])).sort();

  it('round-trip unchanged through reserved-word tables and columns; nothing else runs', async () => {
    await db.local
      .getRepository(Reserved)
      .save(HOSTILE.map((text, i) => ({ key: `${text.slice(0, 20)}#${i}`, text, other: text.slice(0, 10) })));
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.select).toMatchObject({ inserted: HOSTILE.length });
    expect(await rows(db.remote)).toEqual(await rows(db.local));
    const first = await db.local
      .getRepository(Reserved)
      .findOneByOrFail({ key: `${HOSTILE[0]!.slice(0, 20)}#0` });
    await db.local.getRepository(Reserved).remove(first);
    await synchronize({ local: db.local, remote: db.remote });
    expect(await rows(db.remote)).toEqual(await rows(db.local));
  });

  it('a stored key that is not JSON is never evaluated: skipped with a reason (or a typed error), never blocking', async () => {
    const marker = globalThis as { pwned?: boolean };
    const runner = db.local.createQueryRunner();
    await writeLogRows(runner, [{ entity: 'select', key: '(globalThis.pwned = true)', action: 'update' }]);
    await runner.release();
    const first = await synchronize({ local: db.local, remote: db.remote }).catch((e: unknown) => e);
    if (first instanceof Error) {
      expect(first).toBeInstanceOf(SynchroError);
      const skip = await synchronize({ local: db.local, remote: db.remote, onError: 'skip' });
      expect(skip.skipped).toHaveLength(1);
    } else {
      expect((first as SyncResult).skipped).toEqual([expect.objectContaining({ entity: 'select' })]);
    }
    expect((await synchronize({ local: db.local, remote: db.remote })).status).toBe('no-changes');
    expect(marker.pwned).toBeUndefined();
  });
});
