import type { EntityMetadata } from 'typeorm';

/**
 * A primary key as stored in the log and the id map: a JSON object from the primary columns'
 * property paths (in metadata order) to their values as strings, e.g. `{"id":"5"}` or
 * `{"orderId":"1","line":"2"}`. Strings make the same key compare equal whatever the driver returned
 * (pg gives bigints as strings, SQLite as numbers) and keep UUIDs and long keys intact.
 */
export type EncodedKey = string;

/** A decoded key: property path → value as a string. */
export type KeyRecord = Record<string, string>;

/** @internal Normalises one key value to its string form. */
export function keyValueToString(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Encodes a key record (already in primary-column order). */
export function encodeKey(record: Record<string, unknown>): EncodedKey {
  const entries = Object.entries(record);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) return encodeSingleKey(only[0], only[1]);
  return JSON.stringify(Object.fromEntries(entries.map(([path, value]) => [path, keyValueToString(value)])));
}

/**
 * @internal {@link encodeKey} of a one-column key, without building a record: the common case,
 * spelled exactly as `JSON.stringify` spells the object.
 */
export function encodeSingleKey(path: string, value: unknown): EncodedKey {
  const head = keyHead(path);
  // A finite number's string form needs no JSON escaping: the hot case, built without stringify.
  if (typeof value === 'number' && Number.isFinite(value)) return `${head}"${value}"}`;
  return `${head}${JSON.stringify(keyValueToString(value))}}`;
}

const keyHeads = new Map<string, string>();

/** `{"path":`, kept per path (entities have few key paths). */
function keyHead(path: string): string {
  let head = keyHeads.get(path);
  if (head === undefined) {
    if (keyHeads.size >= 256) keyHeads.clear();
    head = `{${JSON.stringify(path)}:`;
    keyHeads.set(path, head);
  }
  return head;
}

/** Decodes a stored key; throws on anything but a flat JSON object of strings. */
export function decodeKey(encoded: EncodedKey): KeyRecord {
  const parsed = JSON.parse(encoded) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`Stored key is not a JSON object: ${encoded}`);
  }
  return parsed as KeyRecord;
}

const readKeys = new Map<EncodedKey, Readonly<KeyRecord>>();
/** Decoded keys kept at most; past it the cache starts over (memory must not grow with a run). */
const READ_KEYS_LIMIT = 20_000;

/**
 * @internal {@link decodeKey} for the engine's hot paths, which decode the same keys many times per
 * batch and only read them: a bounded cache of frozen records. Results handed to users use
 * `decodeKey` (their own copy).
 */
export function readKey(encoded: EncodedKey): Readonly<KeyRecord> {
  const known = readKeys.get(encoded);
  if (known !== undefined) return known;
  if (readKeys.size >= READ_KEYS_LIMIT) readKeys.clear();
  const record = Object.freeze(decodeKey(encoded));
  readKeys.set(encoded, record);
  return record;
}

/**
 * @internal `readKey(encoded)[path]` without decoding when `encoded` is the one-column form
 * `{"path":"value"}` whose value needs no JSON unescaping (the engine's hot case); anything else goes
 * through {@link readKey}, so a malformed key throws as it does there.
 *
 * @example
 * keyValueOf('{"id":"5"}', 'id') // '5'
 */
export function keyValueOf(encoded: EncodedKey, path: string): string | undefined {
  const head = keyHead(path);
  const start = head.length + 1;
  const end = encoded.length - 2;
  const plain =
    end >= start &&
    encoded.startsWith(head) &&
    encoded.charCodeAt(head.length) === QUOTE &&
    encoded.endsWith('"}') &&
    isPlainJsonText(encoded, start, end);
  return plain ? encoded.slice(start, end) : readKey(encoded)[path];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** No quote, backslash or control character in `text[start, end)`: JSON text that means itself. */
function isPlainJsonText(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE || code === BACKSLASH || code < 0x20) return false;
  }
  return true;
}

/**
 * The encoded primary key of an entity instance, a plain object of values, or an event's
 * `entityId` map; `undefined` when a primary value is missing.
 */
export function keyOfEntity(metadata: EntityMetadata, entity: object): EncodedKey | undefined {
  const record: Record<string, unknown> = {};
  for (const column of metadata.primaryColumns) {
    const value = column.getEntityValue(entity as never, true) ?? readPath(entity, column.propertyPath);
    if (value === undefined || value === null) return undefined;
    record[column.propertyPath] = unwrapRelationValue(value);
  }
  return encodeKey(record);
}

/** The encoded primary key of a raw row whose properties are the columns' database names. */
export function keyOfRawRow(metadata: EntityMetadata, row: Record<string, unknown>): EncodedKey {
  const [only, second] = metadata.primaryColumns;
  if (only !== undefined && second === undefined)
    return encodeSingleKey(only.propertyPath, row[only.databaseName]);
  const record: Record<string, unknown> = {};
  for (const column of metadata.primaryColumns) record[column.propertyPath] = row[column.databaseName];
  return encodeKey(record);
}

function readPath(entity: object, path: string): unknown {
  let current: unknown = entity;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function unwrapRelationValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value))
    return value;
  const values = Object.values(value as Record<string, unknown>);
  return values.length === 1 ? unwrapRelationValue(values[0]) : value;
}
