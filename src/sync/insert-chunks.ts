import { valuesChunk, type InsertChunk, type TypedArrays } from '../dialect/synchro-dialect';
import { chunksOf, queryRows, tuplesPerStatement, type SideSql } from './sync-sql';

/**
 * Rows one typed-array INSERT carries at most: 2,000 rows of the benchmark's eight-column item took
 * 6.8–7 µs per row on PostgreSQL 15, against 11–13.6 µs as VALUES lists of 500 rows (its parameter
 * budget), and 4,000 rows were no faster.
 */
const ARRAY_ROWS_PER_STATEMENT = 2_000;

/** Column name → the SQL of its array element type, or `null`; read once per table and side. */
type ColumnTypes = ReadonlyMap<string, string | null>;

const typesBySide = new WeakMap<SideSql, Map<string, Promise<ColumnTypes>>>();

/**
 * @internal The INSERT statements that write `rows` (one array of values per row, in `columns` order,
 * database names) into `tablePath` on `side`, in row order. Where the dialect binds typed arrays and
 * every column has an element type, each statement binds one array per column; a chunk holding a
 * value that is itself an array (which would become a dimension of the column's array) and every
 * other table use VALUES lists within the parameter budget.
 *
 * @example
 * ```ts
 * for (const insert of await insertChunks(side, 'item', ['code', 'qty'], rows)) await side.db.query(insert.sql, insert.params)
 * ```
 */
export async function insertChunks(
  side: SideSql,
  tablePath: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<InsertChunk[]> {
  const table = side.t(tablePath);
  const escaped = columns.map((c) => side.e(c));
  const sql = rows.length === 0 ? undefined : await typedInsertSql(side, tablePath, columns, escaped);
  if (sql === undefined) return valuesChunks(side, table, escaped, rows);
  return chunksOf(rows, ARRAY_ROWS_PER_STATEMENT).flatMap((part) => {
    const params = columnArrays(part, columns.length);
    if (params === undefined) return valuesChunks(side, table, escaped, part);
    return [{ escapedTable: table, escapedColumns: escaped, rows: part, sql, params }];
  });
}

function valuesChunks(
  side: SideSql,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): InsertChunk[] {
  const size = tuplesPerStatement(side, columns.length);
  return chunksOf(rows, size).map((part) => valuesChunk(side.dialect.placeholder, table, columns, part));
}

/**
 * The typed-array INSERT of `columns` into `tablePath`, or `undefined` where the dialect has none or
 * a column has no element type (or there are no columns).
 */
async function typedInsertSql(
  side: SideSql,
  tablePath: string,
  columns: readonly string[],
  escapedColumns: readonly string[],
): Promise<string | undefined> {
  const arrays = side.dialect.typedArrays;
  if (arrays === undefined || columns.length === 0) return undefined;
  const known = await columnTypes(side, arrays, tablePath);
  const types = columns.map((c) => known.get(c) ?? null);
  if (!types.every((t): t is string => t !== null)) return undefined;
  return arrays.insertSql(side.t(tablePath), escapedColumns, types);
}

function columnTypes(side: SideSql, arrays: TypedArrays, tablePath: string): Promise<ColumnTypes> {
  const tables = typesBySide.get(side) ?? new Map<string, Promise<ColumnTypes>>();
  typesBySide.set(side, tables);
  const known = tables.get(tablePath);
  if (known !== undefined) return known;
  const read = queryRows<{ name: string; type: string | null }>(side, arrays.columnTypesSql, [
    side.t(tablePath),
  ]).then((rows) => new Map(rows.map((r) => [r.name, r.type])));
  tables.set(tablePath, read);
  return read;
}

/** The values of `rows` as one array per column, or `undefined` when a value is itself an array. */
function columnArrays(rows: readonly (readonly unknown[])[], width: number): unknown[][] | undefined {
  const out: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as readonly unknown[];
    for (let c = 0; c < width; c++) {
      const value = row[c];
      if (Array.isArray(value)) return undefined;
      (out[c] as unknown[])[r] = value;
    }
  }
  return out;
}
