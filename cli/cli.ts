import yargs, { type Argv } from 'yargs';
import { SynchroError } from '../src/index';
import type { CliContext } from './cli-context';
import { adoptCommand } from './commands/adopt-command';
import { migrationCreateCommand } from './commands/migration-create-command';
import { pruneCommand } from './commands/prune-command';
import { resetCommand } from './commands/reset-command';
import { statusCommand } from './commands/status-command';
import { syncCommand } from './commands/sync-command';
import { envOptions, ENV_NAMES } from './env-options';
import { loadConfig } from './load-config';
import type { Output } from './output';
import { usageMessage } from './usage-message';

/**
 * Runs the CLI on `argv` and resolves to the exit code: 0 done, 1 error, 2 done but objects were
 * skipped (worth an alert from cron). It never exits the process itself.
 */
export async function runCli(argv: string[], output: Output): Promise<number> {
  const ctx: CliContext = {
    output,
    config: { file: undefined, values: {}, local: undefined, remote: undefined },
    exitCode: 0,
  };
  const verbose = argv.includes('--verbose');
  try {
    const config = await loadConfig(configFlag(argv));
    ctx.config = { ...config, values: { ...config.values, ...envOptions() } };
    await buildParser(argv, ctx).parseAsync();
    return ctx.exitCode;
  } catch (error) {
    output.err(errorLine(error, verbose));
    return 1;
  }
}

function buildParser(argv: string[], ctx: CliContext): Argv {
  const parser = yargs(argv)
    .scriptName('typeorm-synchro')
    .option('config', {
      type: 'string',
      describe: 'Config file (default: ./typeorm-synchro.config.{ts,js,cjs,mjs})',
    })
    .option('verbose', { type: 'boolean', describe: 'Print stack traces of errors' })
    .command(syncCommand(ctx))
    .command(statusCommand(ctx))
    .command(resetCommand(ctx))
    .command(pruneCommand(ctx))
    .command(adoptCommand(ctx))
    .command(migrationCreateCommand(ctx))
    .demandCommand(1, 'Name a command: sync, status, reset, prune, adopt or migration:create')
    .recommendCommands()
    .strict()
    .epilogue(`Precedence: flags > environment (${ENV_NAMES.join(', ')}) > config file > defaults.`)
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false);
  return parser.fail((message, error) => {
    if (error !== undefined && error !== null) throw error;
    throw new CliUsageError(usageMessage(message, argv, parser));
  });
}

/** A usage error (unknown flag, bad value); printed as one line like any other error. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

function configFlag(argv: string[]): string | undefined {
  const index = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (index < 0) return process.env.SYNCHRO_CONFIG;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
}

/** One clear line: `error CODE: what (what to do)`, plus the stack with --verbose. */
export function errorLine(error: unknown, verbose: boolean): string {
  const line =
    error instanceof SynchroError
      ? `error ${error.toLine()}`
      : error instanceof CliUsageError
        ? `error USAGE: ${error.message} (see --help)`
        : `error: ${error instanceof Error ? error.message : String(error)}`;
  return verbose && error instanceof Error && error.stack !== undefined ? `${line}\n${error.stack}` : line;
}
