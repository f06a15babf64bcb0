import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { DataSource } from 'typeorm';
import { keyValueOf, type EncodedKey } from '../core/entity-key';
import type { ColumnPair, ForeignKeyPlan } from './entity-mapping';
import type { RawRow } from './row-reader';

/**
 * @internal The value written to the remote column for a raw local value: the {@link persistedValue},
 * or, for a pair that copies values {@link ColumnPair.asStored}, the raw value itself.
 */
export function toRemoteValue(
  local: DataSource,
  remote: DataSource,
  pair: ColumnPair,
  raw: unknown,
): unknown {
  if (pair.asStored === true) return raw ?? null;
  return persistedValue(local, remote, pair, raw);
}

/**
 * @internal The value TypeORM binds for the remote column when it saves the local value: the local
 * driver hydrates the raw value to its JS value (Date, boolean, object…), the remote driver prepares it
 * for its column. Natural-key probes compare with this, the form the remote's own rows are read back in.
 */
export function persistedValue(
  local: DataSource,
  remote: DataSource,
  pair: ColumnPair,
  raw: unknown,
): unknown {
  const hydrated = hydrate(local, pair.local, raw);
  const value = remote.driver.preparePersistentValue(hydrated, pair.remote) as unknown;
  return value === undefined ? null : value;
}

/** @internal The JS value of a raw local column value. */
export function hydrate(local: DataSource, column: ColumnMetadata, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  return local.driver.prepareHydratedValue(raw, column) as unknown;
}

/** @internal The value of one primary column of a remote key, as stored (a string). */
export function keyPart(remoteKey: EncodedKey, path: string): string | null {
  return keyValueOf(remoteKey, path) ?? null;
}

/**
 * @internal The values a foreign key's columns take when its target has `remoteKey`, in column order.
 *
 * @example
 * foreignKeyParts(orderToCustomer, '{"id":"42"}') // ['42']
 */
export function foreignKeyParts(fk: ForeignKeyPlan, remoteKey: EncodedKey): (string | null)[] {
  return fk.columns.map((c) => keyPart(remoteKey, c.targetPath));
}

/** @internal The primary-key values of a row for the remote: the remote key when known, else the local values. */
export function keyValues(
  local: DataSource,
  remote: DataSource,
  keys: readonly ColumnPair[],
  row: RawRow,
  remoteKey: EncodedKey | undefined,
  sameKey: boolean,
): unknown[] {
  if (sameKey || remoteKey === undefined) {
    return keys.map((k) => toRemoteValue(local, remote, k, row[k.local.databaseName]));
  }
  return keys.map((k) => keyPart(remoteKey, k.remote.propertyPath));
}
