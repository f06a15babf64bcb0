import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { SynchroConfig } from '../src/index';
import { loadModule } from './load-module';

const CONFIG_NAMES = [
  'typeorm-synchro.config.ts',
  'typeorm-synchro.config.js',
  'typeorm-synchro.config.cjs',
  'typeorm-synchro.config.mjs',
];

/** A loaded config: file paths made absolute; DataSource instances kept as they are. */
export interface LoadedConfig {
  file: string | undefined;
  values: Record<string, unknown>;
  local: DataSource | undefined;
  remote: DataSource | undefined;
}

/** Finds and loads the config file (`--config` or the first of CONFIG_NAMES in `cwd`). */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  const file =
    explicit !== undefined
      ? resolve(cwd, explicit)
      : CONFIG_NAMES.map((n) => resolve(cwd, n)).find(existsSync);
  if (file === undefined) return { file: undefined, values: {}, local: undefined, remote: undefined };
  const mod = await loadModule(file);
  const config = ((mod.default ?? mod) as SynchroConfig) ?? {};
  const base = dirname(file);
  const values: Record<string, unknown> = { ...config };
  const instances: Pick<LoadedConfig, 'local' | 'remote'> = { local: undefined, remote: undefined };
  for (const side of ['local', 'remote'] as const) {
    const value = config[side];
    delete values[side];
    if (typeof value === 'string') values[side] = isAbsolute(value) ? value : resolve(base, value);
    else if (value !== undefined) instances[side] = value;
  }
  if (typeof config.migrationsDir === 'string') values.migrationsDir = resolve(base, config.migrationsDir);
  return { file, values, ...instances };
}
