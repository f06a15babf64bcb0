/**
 * JSON that keeps the types a plain `JSON.stringify` loses: dates, bigints and bytes are wrapped as
 * `{"$date": iso}`, `{"$bigint": "…"}` and `{"$bytes": base64}`. Decimals stay strings, as drivers return them.
 * Stored natural keys use it; it is parsed with `JSON.parse` only, never evaluated.
 *
 * @example
 * ```ts
 * encodeTyped([new Date(0), 12n]) // '[{"$date":"1970-01-01T00:00:00.000Z"},{"$bigint":"12"}]'
 * ```
 */
export function encodeTyped(value: unknown): string {
  return JSON.stringify(toTyped(value));
}

/** The inverse of {@link encodeTyped}. */
export function decodeTyped(text: string): unknown {
  return fromTyped(JSON.parse(text) as unknown);
}

function toTyped(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('base64') };
  if (Array.isArray(value)) return value.map(toTyped);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toTyped(v)]));
  }
  return value === undefined ? null : value;
}

function fromTyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromTyped);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$date === 'string') return new Date(record.$date);
  if (typeof record.$bigint === 'string') return BigInt(record.$bigint);
  if (typeof record.$bytes === 'string') return Buffer.from(record.$bytes, 'base64');
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromTyped(v)]));
}
