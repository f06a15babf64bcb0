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
  const out: KeyRecord = {};
  for (const [path, value] of Object.entries(record)) out[path] = keyValueToString(value);
  return JSON.stringify(out);
}

/** Decodes a stored key; throws on anything but a flat JSON object of strings. */
export function decodeKey(encoded: EncodedKey): KeyRecord {
  const parsed = JSON.parse(encoded) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`Stored key is not a JSON object: ${encoded}`);
  }
  return parsed as KeyRecord;
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
