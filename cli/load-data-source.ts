import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { DataSourceLoadError } from '../src/index';
import { loadModule } from './load-module';

/**
 * Loads the DataSource a file exports: its default export, or the one exported DataSource (a
 * Promise of one works too). Like the TypeORM CLI's `-d path/to/data-source.ts`.
 */
export async function loadDataSource(path: string, cwd = process.cwd()): Promise<DataSource> {
  const file = resolve(cwd, path);
  const mod = await loadModule(file);
  if (isDataSource(mod)) return mod;
  const candidates = await exportedDataSources(mod);
  if (candidates.length === 1) return candidates[0]![1];
  if (candidates.length === 0) {
    throw new DataSourceLoadError(
      file,
      'exports no TypeORM DataSource',
      'export default new DataSource({ ... }) from that file',
    );
  }
  const names = candidates.map(([name]) => name).join(', ');
  throw new DataSourceLoadError(
    file,
    `exports ${candidates.length} DataSources (${names})`,
    'export the one to use as the default export, or give each its own file',
  );
}

async function exportedDataSources(mod: Record<string, unknown>): Promise<[string, DataSource][]> {
  const entries: [string, DataSource][] = [];
  const seen = new Set<unknown>();
  for (const [name, value] of Object.entries(mod)) {
    const resolved = await value;
    if (isDataSource(resolved) && !seen.has(resolved)) {
      seen.add(resolved);
      entries.push([name, resolved]);
    }
  }
  const preferred = entries.find(([name]) => name === 'default');
  return preferred === undefined ? entries : [preferred];
}

/** Duck-typed, so a DataSource from the user's own copy of typeorm is recognised. */
function isDataSource(value: unknown): value is DataSource {
  const v = value as Partial<DataSource> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.initialize === 'function' &&
    typeof v.options === 'object' &&
    'isInitialized' in v
  );
}
