import fc from 'fast-check';
import { flatParams, multiRowInsertSql } from '../../src/dialect/synchro-dialect';

const numbered = (i: number) => `$${i}`;
const question = () => '?';

describe('multiRowInsertSql', () => {
  it('numbers the placeholders row after row, column after column', () => {
    expect(multiRowInsertSql(numbered, '"t"', ['"a"', '"b"'], 2)).toBe(
      'INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)',
    );
    expect(multiRowInsertSql(question, '`t`', ['`a`'], 3)).toBe('INSERT INTO `t` (`a`) VALUES (?), (?), (?)');
    expect(multiRowInsertSql(question, '"t"', [], 2)).toBe('INSERT INTO "t" VALUES (DEFAULT), (DEFAULT)');
  });

  it('gives the same text from its cache as built fresh, for any shape and placeholder style', () => {
    const shape = fc.record({
      table: fc.constantFrom('"t"', '"u"'),
      columns: fc.array(fc.constantFrom('"a"', '"b"', '"c"'), { maxLength: 3 }),
      rows: fc.integer({ min: 1, max: 40 }),
      numberedStyle: fc.boolean(),
    });
    fc.assert(
      fc.property(shape, ({ table, columns, rows, numberedStyle }) => {
        const placeholder = numberedStyle ? numbered : question;
        const width = columns.length;
        const tuples = Array.from({ length: rows }, (_, r) =>
          width === 0 ? '(DEFAULT)' : `(${columns.map((_, c) => placeholder(r * width + c + 1)).join(', ')})`,
        );
        const cols = width === 0 ? '' : ` (${columns.join(', ')})`;
        expect(multiRowInsertSql(placeholder, table, columns, rows)).toBe(
          `INSERT INTO ${table}${cols} VALUES ${tuples.join(', ')}`,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('flatParams', () => {
  it('lists the values row after row', () => {
    expect(flatParams([[1, 'a'], [null, undefined], []])).toEqual([1, 'a', null, undefined]);
  });
});
