import type { CommandModule } from 'yargs';
import { InvalidOptionError, resetSynchro } from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { requireLocal, sourceOf, usingDataSources } from '../with-data-sources';
import { sideOptions } from './side-options';

interface ResetArgs extends CommonArgs {
  local?: string;
  forgetIds?: boolean;
  yes?: boolean;
}

/** `typeorm-synchro reset`: checkpoints to now and the log cleared (the seed's `reset_synchro`). */
export function resetCommand(ctx: CliContext): CommandModule<object, ResetArgs> {
  return {
    command: 'reset',
    describe: 'Set every checkpoint to now and clear the log (keeps the id map unless --forget-ids)',
    builder: (y) =>
      sideOptions(y, ctx, 'none')
        .option('forget-ids', {
          type: 'boolean',
          describe: 'Also forget which rows are counterparts (may duplicate rows later)',
        })
        .option('yes', { alias: 'y', type: 'boolean', describe: 'Do not ask for confirmation' }),
    handler: async (args) => {
      if (args.yes !== true) await confirm(ctx, args.forgetIds === true);
      await usingDataSources([requireLocal(sourceOf('local', args.local, ctx.config))], async ([local]) => {
        await resetSynchro(local!, { forgetIds: args.forgetIds === true });
      });
      ctx.output.out('Synchronization has been reset.');
    },
  };
}

async function confirm(ctx: CliContext, forgetIds: boolean): Promise<void> {
  if (!ctx.output.isTTY) {
    throw new InvalidOptionError(
      '--yes',
      'reset needs confirmation and this is not a terminal',
      'pass --yes to reset without asking',
    );
  }
  const what = forgetIds ? 'the change log AND the id map' : 'the change log';
  if (!(await ctx.output.confirm(`This clears ${what} and sets every checkpoint to now. Continue?`))) {
    throw new InvalidOptionError('--yes', 'reset was not confirmed', 'answer y, or pass --yes');
  }
}
