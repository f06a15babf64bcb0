import type { DataSource } from 'typeorm';

/** Options of a sync that a config file may hold (the CLI flags of the same names override them). */
export interface SynchroConfigOptions {
  conflictPolicy?: 'newest' | 'local' | 'remote';
  batchSize?: number;
  commit?: 'run' | 'batch';
  onError?: 'abort' | 'skip';
  listeners?: boolean;
  lockTimeoutMs?: number;
  maxClockSkewMs?: number;
  onClockSkew?: 'warn' | 'refuse';
  /** `sync` then sends the remote's changes back to the local side (CLI `--both-ways`). */
  bothWays?: boolean;
}

/** The shape of `typeorm-synchro.config.{ts,js,cjs,mjs}`. */
export interface SynchroConfig extends SynchroConfigOptions {
  /** A file exporting the local DataSource (relative to the config file), or the DataSource itself. */
  local?: string | DataSource;
  /** A file exporting the remote DataSource (relative to the config file), or the DataSource itself. */
  remote?: string | DataSource;
  /** Where `migration:create` writes the migration (relative to the config file). */
  migrationsDir?: string;
}

/**
 * Types a `typeorm-synchro.config.ts` file. Precedence: CLI flags > `SYNCHRO_*` environment variables
 * > this file > defaults.
 *
 * @example
 * ```ts
 * // typeorm-synchro.config.ts
 * import { defineConfig } from 'typeorm-synchro'
 * export default defineConfig({ local: './src/office.ts', remote: './src/production.ts', onError: 'skip' })
 * ```
 */
export function defineConfig(config: SynchroConfig): SynchroConfig {
  return config;
}
