import type { CommandModule } from 'yargs';
import { countPendingChanges, getSyncStatus } from '../../src/index';
import type { CliContext, CommonArgs } from '../cli-context';
import { renderTable } from '../summary-table';
import { requireLocal, sourceOf, usingDataSources } from '../with-data-sources';
import { sideOptions } from './side-options';

interface StatusArgs extends CommonArgs {
  local?: string;
  remote?: string;
  json?: boolean;
}

/** `typeorm-synchro status`: pending changes per entity, checkpoints per known remote, clock skew. */
export function statusCommand(ctx: CliContext): CommandModule<object, StatusArgs> {
  return {
    command: 'status',
    describe: 'Show pending changes per entity, the checkpoint per known remote and the clock skew',
    builder: (y) =>
      sideOptions(y, ctx, 'optional').option('json', { type: 'boolean', describe: 'Print JSON' }),
    handler: async (args) => {
      await usingDataSources(
        [
          requireLocal(sourceOf('local', args.local, ctx.config)),
          sourceOf('remote', args.remote, ctx.config),
        ],
        async ([local, remote]) => {
          // First: it connects both sides, with typed errors naming the side that fails.
          const status = await getSyncStatus(local!, remote);
          const pending = await countPendingChanges(local!, { remote });
          if (args.json === true) ctx.output.out(JSON.stringify({ pending, ...status }, null, 2));
          else printStatus(ctx, pending, status);
        },
      );
    },
  };
}

function printStatus(
  ctx: CliContext,
  pending: Record<string, number>,
  status: Awaited<ReturnType<typeof getSyncStatus>>,
): void {
  ctx.output.out(`node: ${status.nodeId ?? '(none yet)'}`);
  const rows = Object.entries(pending).map(([entity, n]) => [entity, String(n)]);
  ctx.output.out(rows.length === 0 ? 'No pending changes.' : renderTable(['entity', 'pending'], rows));
  // Peers are node ids; the one --remote reaches is marked, so a user can tell which is which.
  const name = (peer: string) => (peer === status.remoteNodeId ? `${peer} (--remote)` : peer);
  const peers = status.peers.map((p) => [name(p.peer), p.deliveredLogId, p.at ?? '']);
  ctx.output.out(
    peers.length === 0
      ? 'No known remotes yet.'
      : renderTable(['remote node', 'delivered up to log id', 'at'], peers),
  );
  if (status.clockSkewMs !== undefined)
    ctx.output.out(`clock skew (remote - local): ${status.clockSkewMs} ms`);
}
