import type { CommandModule } from 'yargs';
import { adoptCopy, NoRemoteError } from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { requireLocal, sourceOf, usingDataSources } from '../with-data-sources';
import { sideOptions } from './side-options';

/** `typeorm-synchro adopt`: makes a database restored from a dump of its peer a peer of its own. */
export function adoptCommand(
  ctx: CliContext,
): CommandModule<object, CommonArgs & { local?: string; remote?: string }> {
  return {
    command: 'adopt',
    describe:
      'Adopt --local, restored from a dump of --remote, as a peer: new identity, rows matched by primary key',
    builder: (y) => sideOptions(y, ctx, 'required'),
    handler: async (args) => {
      await usingDataSources(
        [
          requireLocal(sourceOf('local', args.local, ctx.config)),
          sourceOf('remote', args.remote, ctx.config),
        ],
        async ([local, remote]) => {
          if (remote === undefined) throw new NoRemoteError();
          await adoptCopy(local!, remote);
        },
      );
      ctx.output.out('Adopted: the copy has its own identity and its rows are matched with the remote’s.');
    },
  };
}
