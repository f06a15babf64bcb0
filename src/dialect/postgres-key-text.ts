import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Integer types node-postgres hands over as JS numbers (int2, int4): the key text is `String(value)`. */
const NUMBER_INTEGERS = new Set(['int', 'int2', 'int4', 'integer', 'smallint']);

/** Types node-postgres hands over as their exact text (`char(n)` is left out: `::text` drops its padding). */
const STRINGS = new Set(['varchar', 'character varying', 'text', 'uuid']);

/**
 * PostgreSQL {@link SynchroDialect.keyTextSql}: integers as their decimal text, bigints while
 * node-postgres returns them as strings (no `parseInt8`), and text types JSON-escaped by `to_json`
 * (the same escapes as `JSON.stringify`: `\"`, `\\`, `\b\f\n\r\t`, other controls as `\u00xx`), with
 * the surrounding quotes cut; nothing with a transformer.
 */
export function postgresKeyTextSql(
  column: ColumnMetadata,
  escapedRef: string,
  dataSource: DataSource,
): string | undefined {
  if (column.transformer !== undefined) return undefined;
  const type = column.type;
  if (type === Number || NUMBER_INTEGERS.has(type as string)) return `(${escapedRef})::text`;
  if (type === 'bigint' || type === 'int8') {
    const parseInt8 = (dataSource.options as { parseInt8?: boolean }).parseInt8;
    return parseInt8 === true ? undefined : `(${escapedRef})::text`;
  }
  if (type === String || STRINGS.has(type as string))
    return `left(right(to_json((${escapedRef})::text)::text, -1), -1)`;
  return undefined;
}
