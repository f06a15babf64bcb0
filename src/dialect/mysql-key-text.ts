import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Integer types mysql2 hands over as JS numbers: the key text is the plain decimal `String(value)`. */
const NUMBER_INTEGERS = new Set(['int', 'integer', 'tinyint', 'smallint', 'mediumint']);

/** String types TypeORM hydrates unchanged on MySQL / MariaDB. */
const STRINGS = new Set([
  'varchar',
  'char',
  'nvarchar',
  'nchar',
  'national varchar',
  'national char',
  'uuid',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
]);

/** The characters `JSON.stringify` escapes inside a string; the backslash first, so no escape is doubled. */
const JSON_ESCAPED = [92, 34, ...Array.from({ length: 32 }, (_, code) => code)];

/** The mysql2 options that decide what a key column's value becomes in JS (TypeORM's defaults first). */
function mysql2Options(dataSource: DataSource): Record<string, unknown> {
  const options = dataSource.options as unknown as Record<string, unknown>;
  return {
    supportBigNumbers: options.supportBigNumbers ?? true,
    bigNumberStrings: options.bigNumberStrings ?? true,
    ...((options.extra as Record<string, unknown> | undefined) ?? {}),
  };
}

/** A constant ASCII string as SQL, independent of the connection charset and of NO_BACKSLASH_ESCAPES. */
function asciiSql(text: string): string {
  return `CHAR(${[...text].map((c) => c.charCodeAt(0)).join(', ')} USING utf8mb4)`;
}

/**
 * A text value as the contents of a JSON string, byte for byte what `JSON.stringify` writes between the
 * quotes: one REPLACE per escaped character (REPLACE compares bytes, whatever the column's collation).
 */
function jsonStringSql(escapedRef: string): string {
  let sql = `CONVERT(${escapedRef} USING utf8mb4)`;
  for (const code of JSON_ESCAPED) {
    const char = String.fromCharCode(code);
    sql = `REPLACE(${sql}, ${asciiSql(char)}, ${asciiSql(JSON.stringify(char).slice(1, -1))})`;
  }
  return sql;
}

/**
 * MySQL / MariaDB {@link SynchroDialect.keyTextSql}: integers (`+ 0` drops ZEROFILL padding, as mysql2's
 * number does), bigints when mysql2 hands them over as their exact text (TypeORM's default), and the
 * string types TypeORM leaves unchanged; nothing with a transformer or a custom `typeCast`.
 */
export function mysqlKeyTextSql(
  column: ColumnMetadata,
  escapedRef: string,
  dataSource: DataSource,
): string | undefined {
  const options = mysql2Options(dataSource);
  if (column.transformer !== undefined || (options.typeCast !== undefined && options.typeCast !== true))
    return undefined;
  const type = column.type;
  if (type === Number || NUMBER_INTEGERS.has(type as string)) return `CAST((${escapedRef}) + 0 AS CHAR)`;
  if (type === 'bigint')
    return options.supportBigNumbers === true && options.bigNumberStrings === true
      ? `CAST(${escapedRef} AS CHAR)`
      : undefined;
  if (type === String || STRINGS.has(type as string)) return jsonStringSql(escapedRef);
  return undefined;
}
