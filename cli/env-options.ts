/**
 * The `SYNCHRO_*` environment variables the CLI reads, and the config key each one sets. Only these
 * are read: other variables with the prefix are left alone.
 */
const ENV_KEYS: Record<string, { key: string; type: 'string' | 'number' | 'boolean' }> = {
  SYNCHRO_LOCAL: { key: 'local', type: 'string' },
  SYNCHRO_REMOTE: { key: 'remote', type: 'string' },
  SYNCHRO_CONFLICT: { key: 'conflictPolicy', type: 'string' },
  SYNCHRO_BATCH_SIZE: { key: 'batchSize', type: 'number' },
  SYNCHRO_COMMIT: { key: 'commit', type: 'string' },
  SYNCHRO_ON_ERROR: { key: 'onError', type: 'string' },
  SYNCHRO_LISTENERS: { key: 'listeners', type: 'boolean' },
  SYNCHRO_MAX_CLOCK_SKEW: { key: 'maxClockSkewMs', type: 'number' },
  SYNCHRO_ON_CLOCK_SKEW: { key: 'onClockSkew', type: 'string' },
  SYNCHRO_LOCK_TIMEOUT: { key: 'lockTimeoutMs', type: 'number' },
  SYNCHRO_BOTH_WAYS: { key: 'bothWays', type: 'boolean' },
  SYNCHRO_DRY_RUN: { key: 'dryRun', type: 'boolean' },
  SYNCHRO_FULL: { key: 'full', type: 'boolean' },
  SYNCHRO_MIGRATIONS_DIR: { key: 'migrationsDir', type: 'string' },
};

/** The config values the environment sets (they override the config file; flags override both). */
export function envOptions(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, { key, type }] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    values[key] = type === 'number' ? Number(raw) : type === 'boolean' ? !/^(0|false|no)$/i.test(raw) : raw;
  }
  return values;
}

/** The names, for the docs and `--help`. */
export const ENV_NAMES = Object.keys(ENV_KEYS);
