import type { CommandModule } from 'yargs';
import { pruneLog } from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { requireLocal, sourceOf, usingDataSources } from '../with-data-sources';
import { sideOptions } from './side-options';

/** `typeorm-synchro prune`: deletes log rows already delivered to every known remote. */
export function pruneCommand(ctx: CliContext): CommandModule<object, CommonArgs & { local?: string }> {
  return {
    command: 'prune',
    describe: 'Delete log rows already delivered to every known remote',
    builder: (y) => sideOptions(y, ctx, 'none'),
    handler: async (args) => {
      const deleted = await usingDataSources(
        [requireLocal(sourceOf('local', args.local, ctx.config))],
        ([local]) => pruneLog(local!),
      );
      ctx.output.out(`Pruned ${deleted} delivered log rows.`);
    },
  };
}
