import type { Argv } from 'yargs';
import type { CliContext } from '../cli-context';

/** `--local` and, when asked for, `--remote`, defaulting to the config file's values. */
export function sideOptions<T>(
  y: Argv<T>,
  ctx: CliContext,
  remote: 'optional' | 'none' | 'required',
): Argv<T & { local?: string; remote?: string }> {
  const withLocal = y.option('local', {
    alias: 'l',
    type: 'string',
    describe: 'File exporting the local DataSource',
    default: ctx.config.values.local as string | undefined,
  });
  if (remote === 'none') return withLocal as Argv<T & { local?: string; remote?: string }>;
  return withLocal.option('remote', {
    alias: 'r',
    type: 'string',
    describe:
      remote === 'required'
        ? 'File exporting the remote DataSource'
        : 'File exporting a remote DataSource (optional)',
    default: ctx.config.values.remote as string | undefined,
  });
}
