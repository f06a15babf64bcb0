import type { DataSource } from 'typeorm';
import { InvalidOptionError } from '../src/index';
import { loadDataSource } from './load-data-source';
import type { LoadedConfig } from './load-config';

/** Where a side's DataSource comes from: a file path from flags/env/config, or a config instance. */
export interface DataSourceSource {
  path: string | undefined;
  instance: DataSource | undefined;
}

/** Resolves the flag/env/config value of a side to something loadable. */
export function sourceOf(side: 'local' | 'remote', path: unknown, config: LoadedConfig): DataSourceSource {
  const flagged = typeof path === 'string' && path !== '' ? path : undefined;
  return { path: flagged, instance: flagged === undefined ? config[side] : undefined };
}

/** The local side is always required: a typed error that says how to give it. */
export function requireLocal(source: DataSourceSource): DataSourceSource {
  if (source.path !== undefined || source.instance !== undefined) return source;
  throw new InvalidOptionError(
    '--local',
    'no local DataSource given',
    'pass --local <file exporting a DataSource>, set SYNCHRO_LOCAL, or set `local` in typeorm-synchro.config.ts',
  );
}

/**
 * Loads the given DataSources, runs `fn`, and destroys every one that was not initialized when loaded,
 * whatever happens (kysely-ctl's `usingX` pattern). The library initializes them itself, so a
 * database that cannot be reached or refuses the login is a typed error naming its side.
 */
export async function usingDataSources<T>(
  sources: (DataSourceSource | undefined)[],
  fn: (dataSources: (DataSource | undefined)[]) => Promise<T>,
): Promise<T> {
  const ours: DataSource[] = [];
  try {
    const dataSources: (DataSource | undefined)[] = [];
    for (const source of sources) dataSources.push(await load(source, ours));
    return await fn(dataSources);
  } finally {
    for (const ds of ours.reverse()) if (ds.isInitialized) await ds.destroy().catch(() => undefined);
  }
}

async function load(
  source: DataSourceSource | undefined,
  ours: DataSource[],
): Promise<DataSource | undefined> {
  if (source === undefined) return undefined;
  const ds = source.instance ?? (source.path === undefined ? undefined : await loadDataSource(source.path));
  if (ds !== undefined && !ds.isInitialized) ours.push(ds);
  return ds;
}
