import { randomUUID } from 'node:crypto';
import { SynchroError } from '../core/errors';
import type { SyncProgress } from '../sync/sync-options';
import type { SyncResult } from '../sync/sync-result';

/** What a run started from the admin page does: a dry run, a real synchronization, or a reset. */
export type RunKind = 'preview' | 'sync' | 'reset';

/** Where a run is. */
export type RunState = 'running' | 'done' | 'failed';

/** Why a run failed, as shown on its page (`stack` is only kept for the debug option). */
export interface RunFailure {
  message: string;
  code: string;
  hint: string | undefined;
  stack: string | undefined;
}

/** A run started from the admin page, updated in place while it goes. */
export interface RunRecord {
  readonly id: string;
  readonly kind: RunKind;
  state: RunState;
  readonly startedAt: string;
  finishedAt: string | undefined;
  progress: SyncProgress | undefined;
  /** The result of each direction run so far: the way there, then, with `bothWays`, the way back. */
  results: SyncResult[];
  error: RunFailure | undefined;
  /** Settles when the run ends (never rejects). */
  readonly finished: Promise<void>;
}

/** What a run reports as it goes: progress, and the result of each direction as it finishes. */
export interface RunReporter {
  onProgress(progress: SyncProgress): void;
  onResult(result: SyncResult): void;
}

/** Runs a synchronization (one or two directions) or a reset (no result), reporting to `reporter`. */
export type RunExecutor = (reporter: RunReporter) => Promise<void>;

/** How many finished runs are kept for their pages. */
const KEPT_RUNS = 20;

/**
 * The admin page's background runs: at most one running at a time (a second start gets the running
 * one back), each kept with its progress and outcome for its result page.
 *
 * @example
 * ```ts
 * const runs = new RunRegistry()
 * const { run, started } = runs.start('sync', async (r) => r.onResult(await synchronize({ local, remote, onProgress: r.onProgress })))
 * redirect(`/synchro/runs/${run.id}`) // started === false: that is the one already running
 * ```
 */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();
  private active: RunRecord | undefined;

  /** Starts `execute` in the background unless a run is going; returns the run to show. */
  start(kind: RunKind, execute: RunExecutor): { run: RunRecord; started: boolean } {
    if (this.active !== undefined) return { run: this.active, started: false };
    const run = this.launch(kind, execute);
    this.active = run;
    this.runs.set(run.id, run);
    this.forgetOld();
    return { run, started: true };
  }

  /** The run with this id, while it is kept. */
  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** The running run, if any. */
  running(): RunRecord | undefined {
    return this.active;
  }

  /** Kept runs, newest first. */
  recent(): RunRecord[] {
    return [...this.runs.values()].reverse();
  }

  private launch(kind: RunKind, execute: RunExecutor): RunRecord {
    const base = { id: randomUUID(), kind, startedAt: new Date().toISOString() };
    const run: RunRecord = {
      ...base,
      state: 'running',
      finishedAt: undefined,
      progress: undefined,
      results: [],
      error: undefined,
      finished: Promise.resolve(),
    };
    const finished = this.execute(run, execute);
    return Object.assign(run, { finished });
  }

  private async execute(run: RunRecord, execute: RunExecutor): Promise<void> {
    // Let start() register the run before the executor can report or settle.
    await Promise.resolve();
    try {
      await execute({
        onProgress: (progress) => (run.progress = { ...progress }),
        onResult: (result) => run.results.push(result),
      });
      run.state = 'done';
    } catch (error) {
      run.error = failureOf(error);
      run.state = 'failed';
    } finally {
      run.finishedAt = new Date().toISOString();
      if (this.active === run) this.active = undefined;
    }
  }

  private forgetOld(): void {
    for (const [id, run] of this.runs) {
      if (this.runs.size <= KEPT_RUNS) return;
      if (run.state !== 'running') this.runs.delete(id);
    }
  }
}

/**
 * What the page shows of an error: its message and code (`SynchroError` codes; `ERROR` otherwise).
 *
 * @example
 * ```ts
 * failureOf(new NoRemoteError()).code // 'NO_REMOTE'
 * ```
 */
export function failureOf(error: unknown): RunFailure {
  if (error instanceof SynchroError) {
    return { message: error.message, code: error.code, hint: error.hint, stack: error.stack };
  }
  if (error instanceof Error)
    return { message: error.message, code: 'ERROR', hint: undefined, stack: error.stack };
  return { message: String(error), code: 'ERROR', hint: undefined, stack: undefined };
}
