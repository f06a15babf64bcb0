import 'reflect-metadata';
import fc from 'fast-check';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { valuesChunk } from '../../src/dialect/synchro-dialect';
import { insertChunks } from '../../src/sync/insert-chunks';
import { chunksOf, sideSql, tuplesPerStatement } from '../../src/sync/sync-sql';
import { describeEachDialect } from '../support/describe-dialects';
import { availableDialects } from '../support/dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

@Entity('chunk_sample')
class ChunkSample {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 12 })
  code!: string;

  @Column({ type: 'int' })
  qty!: number;

  @Column({ type: 'decimal', precision: 10, scale: 2 })
  price!: string;

  @Column({ type: Boolean })
  active!: boolean;

  @Column({ type: Date, precision: 3, nullable: true })
  at!: Date | null;

  @Column({ type: 'simple-json', nullable: true })
  data!: unknown;

  @Column({ type: 'varchar', length: 40, nullable: true })
  note!: string | null;
}

const COLUMNS = ['code', 'qty', 'price', 'active', 'at', 'data', 'note'] as const;

/** Texts that an array literal must quote or escape. */
const AWKWARD = ['NULL', '', '{a,b}', '"q"', 'back\\slash', 'zażółć', 'a, b', ' pad '];

/** Rows with awkward texts and NULLs, more than one typed-array statement holds. */
function samples(count: number): Omit<ChunkSample, 'id'>[] {
  return Array.from({ length: count }, (_, i) => ({
    code: `c${i}`,
    qty: i - 100,
    price: (i * 1.25).toFixed(2),
    active: i % 2 === 0,
    at: i % 7 === 0 ? null : new Date(Date.UTC(2024, 2, 31, 1, 30, 0, i % 1000)),
    data: i % 5 === 0 ? null : { n: i, text: AWKWARD[i % AWKWARD.length] },
    note: i % 3 === 0 ? null : (AWKWARD[i % AWKWARD.length] ?? null),
  }));
}

/** The values TypeORM itself would bind for `sample`, in `COLUMNS` order. */
function boundValues(ds: DataSource, sample: Omit<ChunkSample, 'id'>): unknown[] {
  const meta = ds.getMetadata(ChunkSample);
  return COLUMNS.map((name) =>
    ds.driver.preparePersistentValue(sample[name], meta.findColumnWithPropertyName(name)!),
  );
}

describeEachDialect('insertChunks: many rows per statement, as TypeORM would bind them', (dialect) => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    ds = await openDataSource(db, { entities: [ChunkSample] });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes every row in order, with its generated key, and reads back what was bound', async () => {
    const rows = samples(4_500);
    const side = sideSql(ds);
    const bound = rows.map((r) => boundValues(ds, r));
    const chunks = await insertChunks(side, 'chunk_sample', COLUMNS, bound);
    expect(chunks.flatMap((c) => c.rows)).toEqual(bound);
    const keys: unknown[] = [];
    const runner = ds.createQueryRunner();
    try {
      for (const chunk of chunks)
        keys.push(...(await side.dialect.insertGenerated(runner, chunk, side.e('id'))));
    } finally {
      await runner.release();
    }
    const stored = new Map((await ds.getRepository(ChunkSample).find()).map((s) => [String(s.id), s]));
    expect(stored.size).toBe(rows.length);
    rows.forEach((row, i) =>
      expect(stored.get(String(keys[i]))).toMatchObject({ ...row, price: expect.anything() }),
    );
    rows.forEach((row, i) => expect(Number(stored.get(String(keys[i]))?.price)).toBe(Number(row.price)));
  });

  it('binds one typed array per column on PostgreSQL, VALUES lists elsewhere', async () => {
    const side = sideSql(ds);
    const rows = samples(4_500).map((r) => boundValues(ds, r));
    const chunks = await insertChunks(side, 'chunk_sample', COLUMNS, rows);
    const typed = dialect === 'postgres';
    // VALUES lists hold what the parameter budget allows; typed arrays 2,000 rows whatever the width.
    const perStatement = typed ? 2_000 : tuplesPerStatement(side, COLUMNS.length);
    expect(chunks.map((c) => c.rows.length)).toEqual(chunksOf(rows, perStatement).map((p) => p.length));
    for (const chunk of chunks) {
      expect(chunk.sql.includes('unnest(')).toBe(typed);
      expect(chunk.params).toHaveLength(typed ? COLUMNS.length : chunk.rows.length * COLUMNS.length);
    }
  });
});

@Entity('chunk_odd')
class ChunkOdd {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'char', length: 3, nullable: true })
  short!: string | null;

  @Column({ type: 'bit', length: 3, nullable: true })
  bits!: string | null;

  @Column({ type: 'bytea', nullable: true })
  blob!: Buffer | null;

  @Column({ type: 'varchar', length: 4, nullable: true })
  small!: string | null;

  @Column({ type: 'text', nullable: true })
  text!: string | null;
}

@Entity('chunk_array')
class ChunkArray {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int', array: true })
  numbers!: number[];
}

(availableDialects().includes('postgres') ? describe : describe.skip)(
  'insertChunks: typed arrays keep the rules of a bound value [postgres]',
  () => {
    let db: TestDatabase;
    let ds: DataSource;

    beforeAll(async () => {
      db = await createTestDatabase('postgres');
      ds = await openDataSource(db, { entities: [ChunkOdd, ChunkArray] });
    });
    afterAll(async () => {
      await ds?.destroy();
      await db?.drop();
    });

    /** Inserts `rows` into chunk_odd's `columns` as insertChunks plans them; the SQL forms used. */
    async function insert(columns: string[], rows: unknown[][]): Promise<string[]> {
      const chunks = await insertChunks(sideSql(ds), 'chunk_odd', columns, rows);
      for (const chunk of chunks) await ds.query(chunk.sql, chunk.params);
      return chunks.map((c) => (c.sql.includes('unnest(') ? 'arrays' : 'values'));
    }

    /** The SQLSTATE a VALUES insert of `row` fails with, and the one the typed arrays fail with. */
    async function failures(columns: string[], row: unknown[]): Promise<[string, string]> {
      const codeOf = (e: unknown) => String((e as { driverError?: { code?: string } }).driverError?.code);
      const values = `INSERT INTO chunk_odd (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
      const viaValues = await ds.query(values, row).then(() => 'none', codeOf);
      const viaArrays = await insert(columns, [row]).then(() => 'none', codeOf);
      return [viaValues, viaArrays];
    }

    it('pads, keeps bit strings and bytes exactly as a bound value does', async () => {
      const bytes = Buffer.from([0, 1, 0x5c, 0x22, 0x7b, 255]);
      expect(await insert(['short', 'bits', 'blob', 'text'], [['ab', '101', bytes, 'NULL']])).toEqual([
        'arrays',
      ]);
      const [row] = (await ds.query('SELECT short, bits, blob, text FROM chunk_odd')) as Record<
        string,
        unknown
      >[];
      expect(row).toEqual({ short: 'ab ', bits: '101', blob: bytes, text: 'NULL' });
    });

    it('fails where a bound value fails, with the same SQLSTATE (too long; wrong bit length)', async () => {
      expect(await failures(['small'], ['12345'])).toEqual(['22001', '22001']);
      expect(await failures(['bits'], ['1'])).toEqual(['22026', '22026']);
    });

    it('uses VALUES for a chunk holding an array value, storing the text a bound array becomes', async () => {
      expect(await insert(['text'], [['plain'], [['a', 'b']]])).toEqual(['values']);
      const rows = (await ds.query(`SELECT text FROM chunk_odd WHERE text LIKE '{%'`)) as { text: string }[];
      expect(rows).toEqual([{ text: '{"a","b"}' }]);
    });

    it('stores exactly what a VALUES list stores, for any texts, bit strings, bytes, numbers and dates', async () => {
      const columns = ['short', 'bits', 'blob', 'text'];
      const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((t) => !t.includes('\0'));
      const row = fc.tuple(
        fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 3 }).filter((t) => !t.includes('\0'))),
        fc.option(fc.constantFrom('000', '101', '111')),
        fc.option(fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b))),
        fc.option(fc.oneof(text, fc.double({ noNaN: true }).map(String), fc.date({ noInvalidDate: true }))),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
          await ds.query('TRUNCATE chunk_odd RESTART IDENTITY');
          for (const chunk of await insertChunks(sideSql(ds), 'chunk_odd', columns, rows)) {
            expect(chunk.sql).toContain('unnest(');
            await ds.query(chunk.sql, chunk.params);
          }
          const viaValues = valuesChunk((i) => `$${i}`, 'chunk_odd', columns, rows);
          await ds.query(viaValues.sql, viaValues.params);
          const stored = (await ds.query(
            'SELECT id, short::text, bits::text, blob::text, text FROM chunk_odd ORDER BY id',
          )) as Record<string, unknown>[];
          const [arrays, values] = [stored.slice(0, rows.length), stored.slice(rows.length)];
          expect(arrays.map(({ id: _, ...rest }) => rest)).toEqual(values.map(({ id: _, ...rest }) => rest));
        }),
        { numRuns: 60 },
      );
    });

    it('uses VALUES for a table with an array column', async () => {
      const chunks = await insertChunks(sideSql(ds), 'chunk_array', ['numbers'], [[[1, 2]], [[3]]]);
      expect(chunks.map((c) => c.sql.includes('unnest('))).toEqual([false]);
      for (const chunk of chunks) await ds.query(chunk.sql, chunk.params);
      const rows = (await ds.query('SELECT numbers FROM chunk_array ORDER BY id')) as { numbers: number[] }[];
      expect(rows).toEqual([{ numbers: [1, 2] }, { numbers: [3] }]);
    });
  },
);
