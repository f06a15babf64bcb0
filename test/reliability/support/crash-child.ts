/**
 * A child process for the crash tests: opens both databases, prints `ready`, runs one sync and
 * prints `done`. The parent kills it with SIGKILL at a random moment in between.
 * Usage: node -r ts-node/register/transpile-only crash-child.ts '<json {local, remote, commit, batchSize}>'
 */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SynchroSubscriber } from '../../../src/capture/synchro-subscriber';
import { synchroEntities } from '../../../src/store/synchro-entities';
import { synchronize } from '../../../src/sync/synchronizer';
import { RELIABILITY_ENTITIES } from './model-entities';

interface ChildArgs {
  local: DataSourceOptions;
  remote: DataSourceOptions;
  commit: 'run' | 'batch';
  batchSize: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const open = (options: DataSourceOptions) =>
    new DataSource({
      ...options,
      entities: [...RELIABILITY_ENTITIES, ...synchroEntities],
      subscribers: [SynchroSubscriber],
      synchronize: false,
    } as DataSourceOptions).initialize();
  const local = await open(args.local);
  const remote = await open(args.remote);
  process.stdout.write('ready\n');
  const result = await synchronize({ local, remote, commit: args.commit, batchSize: args.batchSize });
  process.stdout.write(`done ${JSON.stringify(result.counts)}\n`);
  await local.destroy();
  await remote.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
