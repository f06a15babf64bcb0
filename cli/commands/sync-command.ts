import type { Argv, CommandModule } from 'yargs';
import {
  checkBatchSize,
  InvalidOptionError,
  reverseSyncOptions,
  SYNC_DEFAULTS,
  synchronize,
  type SyncOptions,
  type SyncResult,
} from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { progressReporter } from '../progress';
import { summaryTable } from '../summary-table';
import { requireLocal, sourceOf, usingDataSources, type DataSourceSource } from '../with-data-sources';

interface SyncArgs extends CommonArgs {
  local?: string;
  remote?: string;
  dryRun?: boolean;
  full?: boolean;
  conflict?: 'newest' | 'local' | 'remote';
  batchSize?: number;
  commit?: 'run' | 'batch';
  onError?: 'abort' | 'skip';
  listeners?: boolean;
  maxClockSkew?: number;
  onClockSkew?: 'warn' | 'refuse';
  lockTimeout?: number;
  bothWays?: boolean;
  json?: boolean;
}

/** One direction of a run: its options, its label and its key in the `--json` output. */
interface Leg {
  readonly key: 'localToRemote' | 'remoteToLocal';
  readonly label: string;
  readonly options: SyncOptions;
}

/** `typeorm-synchro sync`: the seed's `./manage.py synchronize`. */
export function syncCommand(ctx: CliContext): CommandModule<object, SyncArgs> {
  return {
    command: 'sync',
    describe:
      'Copy every change logged since the last checkpoint from --local to --remote (and back with --both-ways)',
    builder: (y) => syncOptions(y, ctx),
    handler: async (args) => {
      const sources = [
        requireLocal(sourceOf('local', args.local, ctx.config)),
        sourceOf('remote', args.remote, ctx.config),
      ] as const;
      const results = await usingDataSources([...sources], async ([local, remote]) => {
        const done: [Leg, SyncResult][] = [];
        for (const leg of legsOf(args, sources, { ...syncOptionsOf(args), local: local!, remote }))
          done.push([leg, await runLeg(ctx, args, leg, done)]);
        return done;
      });
      report(ctx, results, args);
      ctx.exitCode = results.some(([, r]) => r.skipped.length > 0) ? 2 : 0;
    },
  };
}

/** `local → remote`, and with `--both-ways` then `remote → local` ({@link reverseSyncOptions}). */
function legsOf(
  args: SyncArgs,
  [localSource, remoteSource]: readonly [DataSourceSource, DataSourceSource],
  options: SyncOptions,
): Leg[] {
  const localName = localSource.path ?? 'local';
  const remoteName = remoteSource.path ?? 'remote';
  const there: Leg = { key: 'localToRemote', label: `${localName} → ${remoteName}`, options };
  // Without a remote the first direction fails with NoRemoteError, as a one-way run does.
  if (args.bothWays !== true || options.remote == null) return [there];
  const back = reverseSyncOptions(options);
  return [there, { key: 'remoteToLocal', label: `${remoteName} → ${localName}`, options: back }];
}

/** Runs one direction; a failure after an applied direction says which one was applied. */
async function runLeg(
  ctx: CliContext,
  args: SyncArgs,
  leg: Leg,
  done: readonly [Leg, SyncResult][],
): Promise<SyncResult> {
  if (args.bothWays === true && args.json !== true) ctx.output.out(`${leg.label}:`);
  const progress = args.json === true ? { stop: () => undefined } : progressReporter(ctx.output);
  try {
    const onProgress = 'onProgress' in progress ? progress.onProgress : undefined;
    const result = await synchronize({ ...leg.options, onProgress });
    if (args.json !== true) reportLeg(ctx, result);
    return result;
  } catch (error) {
    if (done.length > 0) reportFailedLeg(ctx, args, done, leg, error);
    throw error;
  } finally {
    progress.stop();
  }
}

/**
 * After an applied direction: one line saying so before the error, and with `--json` the applied
 * results with the failed direction's error, so a script still learns what was committed.
 */
function reportFailedLeg(
  ctx: CliContext,
  args: SyncArgs,
  done: readonly [Leg, SyncResult][],
  leg: Leg,
  error: unknown,
): void {
  ctx.output.err(`${done.map(([l]) => l.label).join(', ')} was applied; ${leg.label} failed:`);
  if (args.json !== true) return;
  const { code, message, hint } = error as { code?: string; message?: string; hint?: string };
  const failed = { error: { code: code ?? 'UNKNOWN', message: message ?? String(error), hint } };
  const applied = Object.fromEntries(done.map(([l, r]) => [l.key, r]));
  ctx.output.out(JSON.stringify({ ...applied, [leg.key]: failed }, null, 2));
}

function syncOptionsOf(args: SyncArgs): Omit<SyncOptions, 'local' | 'remote'> {
  return {
    dryRun: args.dryRun,
    full: args.full,
    conflictPolicy: args.conflict,
    batchSize: args.batchSize,
    commit: args.commit,
    onError: args.onError,
    listeners: args.listeners,
    maxClockSkewMs: args.maxClockSkew,
    onClockSkew: args.onClockSkew,
    lockTimeoutMs: args.lockTimeout,
  };
}

function syncOptions(y: Argv, ctx: CliContext): Argv<SyncArgs> {
  const c = ctx.config.values;
  return y
    .options(whatToSend(c))
    .options(howToRun(c))
    .check((a) => {
      // The library's own rules, checked here so a bad value is refused before any DataSource loads.
      for (const flag of ['batch-size', 'max-clock-skew', 'lock-timeout'] as const) notNaN(flag, a[flag]);
      checkBatchSize(a.batchSize);
      return true;
    }) as unknown as Argv<SyncArgs>;
}

/** Which databases, which changes, and how the result is printed. */
function whatToSend(c: Record<string, unknown>) {
  return {
    local: {
      alias: 'l',
      type: 'string',
      describe: 'File exporting the local (source) DataSource',
      default: c.local as string,
    },
    remote: {
      alias: 'r',
      type: 'string',
      describe: 'File exporting the remote (target) DataSource',
      default: c.remote as string,
    },
    'dry-run': {
      type: 'boolean',
      describe: 'Show the plan; write nothing anywhere',
      default: (c.dryRun as boolean) ?? false,
    },
    full: {
      type: 'boolean',
      describe: 'Send every row of every watched entity, not only logged changes',
      default: (c.full as boolean) ?? false,
    },
    'both-ways': {
      type: 'boolean',
      describe: 'Then sync --remote back to --local (--conflict local/remote keep the same side)',
      default: (c.bothWays as boolean) ?? false,
    },
    json: {
      type: 'boolean',
      describe: 'Print the SyncResult as JSON ({ localToRemote, remoteToLocal } with --both-ways)',
    },
  } as const;
}

/** How a run applies them; the defaults shown in --help are the library's (SYNC_DEFAULTS) unless configured. */
function howToRun(c: Record<string, unknown>) {
  const d = SYNC_DEFAULTS;
  return {
    conflict: {
      choices: ['newest', 'local', 'remote'],
      describe: 'Who wins when both sides changed an object',
      default: (c.conflictPolicy as string) ?? d.conflictPolicy,
    },
    'batch-size': {
      type: 'number',
      describe: 'Log rows per page (rows per page with --full)',
      default: (c.batchSize as number) ?? d.batchSize,
    },
    commit: {
      choices: ['run', 'batch'],
      describe: 'One remote transaction per run, or per batch',
      default: (c.commit as string) ?? d.commit,
    },
    'on-error': {
      choices: ['abort', 'skip'],
      describe: 'Abort the run on a failing object, or skip it and go on',
      default: (c.onError as string) ?? d.onError,
    },
    listeners: {
      type: 'boolean',
      describe: 'Fire the remote subscribers and entity listeners (--no-listeners for speed)',
      default: (c.listeners as boolean) ?? d.listeners,
    },
    'max-clock-skew': {
      type: 'number',
      describe: 'Milliseconds of server clock difference to tolerate',
      default: (c.maxClockSkewMs as number) ?? d.maxClockSkewMs,
    },
    'on-clock-skew': {
      choices: ['warn', 'refuse'],
      describe: 'Over --max-clock-skew: warn in the result, or refuse to run',
      default: (c.onClockSkew as string) ?? d.onClockSkew,
    },
    'lock-timeout': {
      type: 'number',
      describe: 'Milliseconds to wait for another sync into the same remote',
      default: (c.lockTimeoutMs as number) ?? d.lockTimeoutMs,
    },
  } as const;
}

/** yargs turns `--batch-size abc` (or SYNCHRO_BATCH_SIZE=abc) into NaN, which would print as null. */
function notNaN(flag: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isNaN(value)) return;
  throw new InvalidOptionError(
    `--${flag}`,
    'not a number',
    `pass a number (flag, SYNCHRO_${flag.toUpperCase().replace(/-/g, '_')} or the config file)`,
  );
}

/** `--json` prints at the end; otherwise each direction printed its own report as it finished. */
function report(ctx: CliContext, results: readonly [Leg, SyncResult][], args: SyncArgs): void {
  if (args.json !== true) return;
  const value =
    args.bothWays === true ? Object.fromEntries(results.map(([leg, r]) => [leg.key, r])) : results[0]?.[1];
  ctx.output.out(JSON.stringify(value, null, 2));
}

function reportLeg(ctx: CliContext, result: SyncResult): void {
  ctx.output.out(result.message);
  const table = summaryTable(result);
  if (table !== '') ctx.output.out(table);
  for (const warning of result.warnings ?? []) ctx.output.err(`warning: ${warning}`);
  for (const c of result.conflicts)
    ctx.output.out(`conflict: ${c.entity} ${JSON.stringify(c.key)} kept ${c.decision} (${c.reason})`);
  for (const s of result.skipped)
    ctx.output.err(
      `skipped: ${s.entity} ${JSON.stringify(s.key)}: ${s.reason}${s.code ? ` [${s.code}]` : ''}`,
    );
  if (result.status === 'dry-run') {
    for (const step of result.plan ?? []) ctx.output.out(`plan: ${JSON.stringify(step)}`);
  }
}
