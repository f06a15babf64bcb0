import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DataSource } from 'typeorm';
import { InvalidOptionError } from '../core/errors';
import { resolveSyncOptions, type SyncOptions } from '../sync/sync-options';
import { ADMIN_LOCALES, type AdminLocale } from './admin-messages';

/**
 * Decides whether a request may use the admin page; truthy (or a promise of it) means allowed.
 *
 * @example
 * ```ts
 * const authorize: AdminAuthorize = async (req) => (await sessions.get(req))?.role === 'staff'
 * ```
 */
export type AdminAuthorize = (req: IncomingMessage) => unknown;

/**
 * Synchronizer options the admin page passes to every run it starts (preview and synchronize).
 *
 * @example
 * ```ts
 * createSynchroAdmin({ local, remote, authorize, syncOptions: { commit: 'batch', onError: 'skip' } })
 * ```
 */
export type AdminSyncOptions = Omit<SyncOptions, 'local' | 'remote' | 'dryRun' | 'onProgress'>;

/**
 * Options of {@link createSynchroAdmin}.
 *
 * @example
 * ```ts
 * const admin = createSynchroAdmin({
 *   local: office,
 *   remote: production,
 *   authorize: (req) => req.user?.isStaff === true,
 *   secret: process.env.SYNCHRO_ADMIN_SECRET,
 *   locale: 'pl',
 * })
 * ```
 */
export interface SynchroAdminOptions {
  /** The database whose changes are sent. */
  local: DataSource;
  /** The database they are sent to; without one the page says so and its buttons are disabled. */
  remote?: DataSource | null;
  /** Required: no default-open page. Falsy → 403. Runs before anything else, on every request. */
  authorize: AdminAuthorize;
  /**
   * Signs the CSRF tokens. Default: a random secret per process, so forms open before a restart (or
   * on another instance behind a load balancer) are refused; pass a fixed secret to avoid that.
   */
  secret?: string | Buffer;
  /** Show the Reset button and accept resets. Default `false`. */
  allowReset?: boolean;
  /** The public path the page is served under (links and routing). Default `'/synchro'`. */
  basePath?: string;
  /** `'en'` (default), `'pl'`, `'de'`, `'fr'`, `'es'`, or a function choosing one per request. */
  locale?: AdminLocale | ((req: IncomingMessage) => AdminLocale);
  /** Show stack traces on error pages. Default `false`: never enable it in production. */
  debug?: boolean;
  /** Options for every run the page starts (conflictPolicy, commit, onError, lockTimeoutMs, …). */
  syncOptions?: AdminSyncOptions;
  /**
   * Preview and Synchronize also run the way back, remote → local, with `reverseSyncOptions`
   * (the conflict policy mirrored). Default `false`: local → remote only.
   */
  bothWays?: boolean;
}

/** {@link SynchroAdminOptions} checked, with defaults filled in. */
export interface ResolvedAdminOptions {
  readonly local: DataSource;
  readonly remote: DataSource | null;
  readonly authorize: AdminAuthorize;
  readonly secret: string | Buffer;
  readonly allowReset: boolean;
  readonly basePath: string;
  readonly localeOf: (req: IncomingMessage) => AdminLocale;
  readonly debug: boolean;
  readonly syncOptions: AdminSyncOptions;
  readonly bothWays: boolean;
}

/**
 * Checks the admin options at startup; a missing `authorize` or a bad value is an `InvalidOptionError`.
 *
 * @example
 * ```ts
 * resolveAdminOptions({ local, authorize: () => true }).basePath // '/synchro'
 * ```
 */
export function resolveAdminOptions(options: SynchroAdminOptions): ResolvedAdminOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('options', 'must be an object', 'pass { local, remote, authorize }');
  }
  const resolved = {
    local: dataSourceOf('local', options.local),
    remote: options.remote == null ? null : dataSourceOf('remote', options.remote),
    authorize: authorizeOf(options.authorize),
    secret: secretOf(options.secret),
    allowReset: flagOf('allowReset', options.allowReset),
    basePath: basePathOf(options.basePath),
    localeOf: localeOf(options.locale),
    debug: flagOf('debug', options.debug),
    syncOptions: { ...(options.syncOptions ?? {}) },
    bothWays: flagOf('bothWays', options.bothWays),
  };
  // A bad run option is a startup error too, not a failure at the first click.
  if (resolved.remote !== null)
    resolveSyncOptions({ ...resolved.syncOptions, local: resolved.local, remote: resolved.remote });
  return resolved;
}

function dataSourceOf(side: 'local' | 'remote', value: unknown): DataSource {
  const ds = value as Partial<DataSource> | null | undefined;
  if (
    ds == null ||
    typeof ds !== 'object' ||
    typeof ds.initialize !== 'function' ||
    ds.options === undefined
  ) {
    throw new InvalidOptionError(side, 'is not a TypeORM DataSource', `pass the ${side} DataSource instance`);
  }
  return ds as DataSource;
}

function authorizeOf(value: unknown): AdminAuthorize {
  if (typeof value === 'function') return value as AdminAuthorize;
  throw new InvalidOptionError(
    'authorize',
    'is required: the admin page is never open to everyone',
    'pass authorize: (req) => boolean | Promise<boolean>, e.g. checking your session’s staff flag',
  );
}

function secretOf(value: unknown): string | Buffer {
  if (value === undefined) return randomBytes(32);
  if ((typeof value === 'string' || Buffer.isBuffer(value)) && value.length >= 16) return value;
  throw new InvalidOptionError(
    'secret',
    'must be a string or Buffer of at least 16 characters',
    'use 32 random bytes',
  );
}

function flagOf(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(option, `${JSON.stringify(value)} is not a boolean`, 'use true or false');
}

function basePathOf(value: unknown): string {
  if (value === undefined) return '/synchro';
  if (typeof value === 'string' && /^(\/[\w.~-]+)*\/?$/.test(value)) return value.replace(/\/+$/, '');
  throw new InvalidOptionError(
    'basePath',
    `${JSON.stringify(value)} is not a URL path`,
    "use e.g. '/admin/synchro'",
  );
}

function localeOf(value: unknown): (req: IncomingMessage) => AdminLocale {
  if (value === undefined) return () => 'en';
  if (typeof value === 'function') {
    const choose = value as (req: IncomingMessage) => unknown;
    return (req) => knownLocale(choose(req));
  }
  if (isLocale(value)) return () => value;
  throw new InvalidOptionError(
    'locale',
    `${JSON.stringify(value)} is not supported`,
    `use one of ${ADMIN_LOCALES.join(', ')}`,
  );
}

function knownLocale(value: unknown): AdminLocale {
  return isLocale(value) ? value : 'en';
}

function isLocale(value: unknown): value is AdminLocale {
  return typeof value === 'string' && (ADMIN_LOCALES as readonly string[]).includes(value);
}
