/**
 * Every error the library throws is a {@link SynchroError}: a literal `code` from {@link SynchroErrorCode},
 * a `hint` that says what to do, the underlying `cause` kept, and the entity / key / table / column involved.
 *
 * @example
 * ```ts
 * try { await synchronize({ local, remote }) }
 * catch (err) {
 *   if (err instanceof SynchroError && err.code === 'SYNCHRO_LOCKED') retryLater()
 *   else throw err
 * }
 * ```
 */
export type SynchroErrorCode =
  | 'NO_REMOTE'
  | 'MULTIPLE_NATURAL_KEY_MATCHES'
  | 'SCHEMA_MISMATCH'
  | 'SYNCHRO_TABLES_MISSING'
  | 'SYNCHRO_LOCKED'
  | 'CLOCK_SKEW'
  | 'SAME_DATABASE'
  | 'SAME_NODE_IDENTITY'
  | 'CONNECTION_FAILED'
  | 'CONNECTION_LOST'
  | 'PERMISSION_DENIED'
  | 'REMOTE_CONSTRAINT'
  | 'APPLY_FAILED'
  | 'INVALID_ENTITY_CONFIG'
  | 'INVALID_OPTION'
  | 'DATA_SOURCE_LOAD'
  | 'CAPTURE_FAILED';

/** What a {@link SynchroError} is about; every field is optional and set when known. */
export interface SynchroErrorSubject {
  entity?: string;
  key?: Record<string, unknown>;
  table?: string;
  column?: string;
}

/** Details given to a {@link SynchroError} constructor. */
export interface SynchroErrorDetails extends SynchroErrorSubject {
  hint?: string;
  cause?: unknown;
}

/** Base class of every error thrown by typeorm-synchro. `name` is always the subclass name. */
export class SynchroError extends Error implements SynchroErrorSubject {
  readonly code: SynchroErrorCode;
  readonly hint: string | undefined;
  readonly entity: string | undefined;
  readonly key: Record<string, unknown> | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;

  constructor(code: SynchroErrorCode, message: string, details: SynchroErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = details.hint;
    this.entity = details.entity;
    this.key = details.key;
    this.table = details.table;
    this.column = details.column;
  }

  /** One line for logs and the CLI: `CODE: message (what to do)`. */
  toLine(): string {
    return `${this.code}: ${this.message}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** A sync was asked for without a remote DataSource. Logging keeps working without one. */
export class NoRemoteError extends SynchroError {
  constructor() {
    super('NO_REMOTE', 'No remote data source specified', {
      hint: 'pass `remote: DataSource` (library) or `--remote <file>` (CLI); logging works without a remote',
    });
  }
}

/** A natural key matched several rows and the entity's `@NaturalKey` does not set `allowMany`. */
export class MultipleNaturalKeyMatchesError extends SynchroError {
  constructor(entity: string, values: Record<string, unknown>, count: number) {
    super(
      'MULTIPLE_NATURAL_KEY_MATCHES',
      `${count} rows of ${entity} match natural key ${stringify(values)}`,
      {
        entity,
        key: values,
        hint: 'make the natural key unique, or pass { allowMany: true } to @NaturalKey to take the first row',
      },
    );
  }
}

/** The remote lacks a table or column that a synchronized entity needs, or its type is incompatible. */
export class SchemaMismatchError extends SynchroError {
  constructor(message: string, subject: SynchroErrorSubject, hint?: string) {
    super('SCHEMA_MISMATCH', message, {
      ...subject,
      hint: hint ?? 'run the same migrations on both databases before synchronizing',
    });
  }
}

/** The library's own tables (log, id map, cursors) are missing on a database. */
export class SynchroTablesMissingError extends SynchroError {
  constructor(side: string, table: string) {
    super('SYNCHRO_TABLES_MISSING', `The ${side} database has no ${table} table`, {
      table,
      hint: 'add `...synchroEntities` to the DataSource entities and run its migrations (or `typeorm-synchro migration:create`)',
    });
  }
}

/** Another synchronization into the same remote holds the lock. */
export class SynchroLockedError extends SynchroError {
  constructor(target: string, waitedMs: number, cause?: unknown) {
    super('SYNCHRO_LOCKED', `Another synchronization into ${target} is running (waited ${waitedMs} ms)`, {
      cause,
      hint: 'wait for it to finish, or raise lockTimeoutMs',
    });
  }
}

/** The two servers' clocks differ by more than `maxClockSkewMs` and `onClockSkew` is `'refuse'`. */
export class ClockSkewError extends SynchroError {
  readonly skewMs: number;
  constructor(skewMs: number, maxMs: number) {
    super('CLOCK_SKEW', `The remote clock differs from the local one by ${skewMs} ms (limit ${maxMs} ms)`, {
      hint: 'synchronize the servers’ clocks (NTP), or raise maxClockSkewMs / use onClockSkew: "warn"',
    });
    this.skewMs = skewMs;
  }
}

/** Local and remote are the same database. */
export class SameDatabaseError extends SynchroError {
  constructor(identity: string) {
    super('SAME_DATABASE', `Local and remote are the same database (${identity})`, {
      hint: 'point --remote at the other database',
    });
  }
}

/** Two different databases share a node identity: one was restored from a dump of the other. */
export class SameNodeIdentityError extends SynchroError {
  constructor(nodeId: string) {
    super(
      'SAME_NODE_IDENTITY',
      `Local and remote share the node identity ${nodeId}: one is a restored copy of the other`,
      {
        hint: 'run adoptCopy(local, remote) (CLI: `typeorm-synchro adopt`) on the restored copy first',
      },
    );
  }
}

/**
 * A database could not be reached, or its connection dropped during a run (server down, network):
 * worth retrying later. Nothing of the open transaction was committed.
 */
export class ConnectionLostError extends SynchroError {
  constructor(side: string, cause: unknown, whileConnecting = false) {
    super(
      'CONNECTION_LOST',
      whileConnecting
        ? `The ${side} database could not be reached: ${messageOf(cause)}`
        : `The connection to the ${side} database was lost: ${messageOf(cause)}`,
      {
        cause,
        hint: whileConnecting
          ? 'check that the server is running and reachable, then run again'
          : 'check the server and run the sync again; it resumes from the last committed checkpoint',
      },
    );
  }
}

/**
 * A database refused the connection's settings: wrong user or password, a database that does not
 * exist, a SQLite file that cannot be opened. Retrying with the same settings cannot succeed.
 */
export class ConnectionFailedError extends SynchroError {
  constructor(side: string, cause: unknown) {
    super('CONNECTION_FAILED', `Could not connect to the ${side} database: ${messageOf(cause)}`, {
      cause,
      hint: `check the ${side} DataSource's user, password and database (or file path); nothing was changed`,
    });
  }
}

/**
 * A database refused an operation for want of a privilege, after a successful login (MariaDB's
 * `LOCK TABLES` on the log, a table the DataSource's user may not write). Ends the run: every other
 * object would be refused too.
 */
export class PermissionDeniedError extends SynchroError {
  constructor(side: string, cause: unknown, subject: SynchroErrorSubject = {}) {
    super('PERMISSION_DENIED', `The ${side} database refused an operation: ${messageOf(cause)}`, {
      ...subject,
      cause,
      hint: `grant the ${side} DataSource's user the privileges getting started lists; nothing was changed`,
    });
  }
}

/** The remote refused a row (unique, not-null or foreign-key constraint). */
export class RemoteConstraintError extends SynchroError {
  readonly constraint: 'unique' | 'not-null' | 'foreign-key' | 'check' | 'other';
  constructor(constraint: RemoteConstraintError['constraint'], subject: SynchroErrorSubject, cause: unknown) {
    super(
      'REMOTE_CONSTRAINT',
      `The remote refused ${subject.entity ?? 'a row'} ${stringify(subject.key)}: ${messageOf(cause)}`,
      {
        ...subject,
        cause,
        hint: 'fix the row or the remote schema, or run with onError: "skip" to apply everything else',
      },
    );
    this.constraint = constraint;
  }
}

/** An object could not be applied for another reason (driver error, conversion). */
export class ApplyFailedError extends SynchroError {
  constructor(subject: SynchroErrorSubject, cause: unknown) {
    super(
      'APPLY_FAILED',
      `Could not apply ${subject.entity ?? 'an object'} ${stringify(subject.key)}: ${messageOf(cause)}`,
      {
        ...subject,
        cause,
        hint: 'see the cause; run with onError: "skip" to apply everything else',
      },
    );
  }
}

/** A decorator or registration does not fit the entity (found at DataSource initialize or first use). */
export class InvalidEntityConfigError extends SynchroError {
  constructor(message: string, subject: SynchroErrorSubject, hint: string) {
    super('INVALID_ENTITY_CONFIG', message, { ...subject, hint });
  }
}

/** An option has a value the library cannot use. */
export class InvalidOptionError extends SynchroError {
  readonly option: string;
  constructor(option: string, message: string, hint: string) {
    super('INVALID_OPTION', `${option}: ${message}`, { hint });
    this.option = option;
  }
}

/** A DataSource file could not be loaded (CLI). */
export class DataSourceLoadError extends SynchroError {
  constructor(file: string, message: string, hint: string, cause?: unknown) {
    super('DATA_SOURCE_LOAD', `${file}: ${message}`, { hint, cause });
  }
}

/** @internal */
export function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function stringify(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** A write of a watched entity could not be logged (its primary key could not be determined); the write fails. */
export class CaptureFailedError extends SynchroError {
  constructor(entity: string, action: string, hint?: string) {
    super('CAPTURE_FAILED', `Cannot log the ${action} of ${entity}: its primary key is unknown`, {
      entity,
      hint:
        hint ??
        'keep updateEntity on for inserts of generated keys, or log the write with logChange() inside runInNoLogContext()',
    });
  }
}
