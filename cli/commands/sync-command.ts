import type { Argv, CommandModule } from 'yargs';
import { checkBatchSize, synchronize, type SyncResult } from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { progressReporter } from '../progress';
import { summaryTable } from '../summary-table';
import { requireLocal, sourceOf, usingDataSources } from '../with-data-sources';

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
  json?: boolean;
}

/** `typeorm-synchro sync`: the seed's `./manage.py synchronize`. */
export function syncCommand(ctx: CliContext): CommandModule<object, SyncArgs> {
  return {
    command: 'sync',
    describe: 'Copy every change logged since the last checkpoint from --local to --remote',
    builder: (y) => syncOptions(y, ctx),
    handler: async (args) => {
      const progress = args.json === true ? { stop: () => undefined } : progressReporter(ctx.output);
      const result = await usingDataSources(
        [
          requireLocal(sourceOf('local', args.local, ctx.config)),
          sourceOf('remote', args.remote, ctx.config),
        ],
        ([local, remote]) =>
          synchronize({
            local: local!,
            remote,
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
            onProgress: 'onProgress' in progress ? progress.onProgress : undefined,
          }),
      ).finally(() => progress.stop());
      report(ctx, result, args.json === true);
      ctx.exitCode = result.skipped.length > 0 ? 2 : 0;
    },
  };
}

function syncOptions(y: Argv, ctx: CliContext): Argv<SyncArgs> {
  const c = ctx.config.values;
  return y
    .option('local', {
      alias: 'l',
      type: 'string',
      describe: 'File exporting the local (source) DataSource',
      default: c.local as string,
    })
    .option('remote', {
      alias: 'r',
      type: 'string',
      describe: 'File exporting the remote (target) DataSource',
      default: c.remote as string,
    })
    .option('dry-run', { type: 'boolean', describe: 'Show the plan; write nothing anywhere' })
    .option('full', {
      type: 'boolean',
      describe: 'Send every row of every watched entity, not only logged changes',
    })
    .option('conflict', {
      choices: ['newest', 'local', 'remote'] as const,
      describe: 'Who wins when both sides changed an object',
      default: c.conflictPolicy as 'newest',
    })
    .option('batch-size', { type: 'number', describe: 'Objects per batch', default: c.batchSize as number })
    .option('commit', {
      choices: ['run', 'batch'] as const,
      describe: 'One remote transaction per run, or per batch',
      default: c.commit as 'run',
    })
    .option('on-error', {
      choices: ['abort', 'skip'] as const,
      describe: 'Abort the run on a failing object, or skip it and go on',
      default: c.onError as 'abort',
    })
    .option('listeners', {
      type: 'boolean',
      describe: 'Fire the remote subscribers and entity listeners (--no-listeners for speed)',
      default: c.listeners as boolean,
    })
    .option('max-clock-skew', {
      type: 'number',
      describe: 'Milliseconds of server clock difference to tolerate',
      default: c.maxClockSkewMs as number,
    })
    .option('on-clock-skew', {
      choices: ['warn', 'refuse'] as const,
      describe: 'Over --max-clock-skew: warn in the result, or refuse to run',
      default: c.onClockSkew as 'warn',
    })
    .option('lock-timeout', {
      type: 'number',
      describe: 'Milliseconds to wait for another sync into the same remote',
      default: c.lockTimeoutMs as number,
    })
    .option('json', { type: 'boolean', describe: 'Print the SyncResult as JSON' })
    .check((a) => {
      // The library's own rule, checked here so a bad value is refused before any DataSource loads.
      checkBatchSize(a.batchSize);
      return true;
    }) as unknown as Argv<SyncArgs>;
}

function report(ctx: CliContext, result: SyncResult, json: boolean): void {
  if (json) {
    ctx.output.out(JSON.stringify(result, null, 2));
    return;
  }
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
