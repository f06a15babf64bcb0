import { runEngine } from './run-engine';
import { openRunSession } from './run-session';
import { resolveSyncOptions, type SyncOptions } from './sync-options';
import type { SyncResult } from './sync-result';

/**
 * Sends every change logged on `options.local` since the remote's checkpoint to `options.remote`:
 * collapsed per object, matched through the id map / natural key / primary key, foreign-key targets
 * first, newest change winning, in one remote transaction (or one per batch). Rejects with a
 * `SynchroError` subclass when the run failed.
 *
 * @example
 * ```ts
 * const result = await synchronize({ local: office, remote: production })
 * console.log(result.message) // "Synchronization performed successfully."
 * ```
 */
export function synchronize(options: SyncOptions): Promise<SyncResult> {
  return new Synchronizer(options).run();
}

/**
 * A configured synchronization that can be run (and run again).
 *
 * @example
 * ```ts
 * const sync = new Synchronizer({ local, remote, commit: 'batch', onError: 'skip' })
 * const result = await sync.run()
 * ```
 */
export class Synchronizer {
  constructor(private readonly options: SyncOptions) {}

  /** Runs one synchronization; see {@link synchronize}. */
  async run(): Promise<SyncResult> {
    const startedAt = Date.now();
    const session = await openRunSession(resolveSyncOptions(this.options));
    try {
      return await runEngine(session, startedAt);
    } finally {
      await session.close();
    }
  }
}
