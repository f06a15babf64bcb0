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
 * Loads and initializes the given DataSources, runs `fn`, and destroys what it initialized,
 * whatever happens (kysely-ctl's `usingX` pattern).
 */
export async function usingDataSources<T>(
  sources: (DataSourceSource | undefined)[],
  fn: (dataSources: (DataSource | undefined)[]) => Promise<T>,
): Promise<T> {
  const opened: DataSource[] = [];
  try {
    const dataSources: (DataSource | undefined)[] = [];
    for (const source of sources) dataSources.push(await open(source, opened));
    return await fn(dataSources);
  } finally {
    for (const ds of opened.reverse()) await ds.destroy().catch(() => undefined);
  }
}

async function open(
  source: DataSourceSource | undefined,
  opened: DataSource[],
): Promise<DataSource | undefined> {
  if (source === undefined) return undefined;
  const ds = source.instance ?? (source.path === undefined ? undefined : await loadDataSource(source.path));
  if (ds === undefined || ds.isInitialized) return ds;
  await ds.initialize();
  opened.push(ds);
  return ds;
}
