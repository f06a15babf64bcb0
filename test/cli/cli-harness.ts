import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { runCli } from '../../cli/cli';
import type { Output } from '../../cli/output';

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (not a terminal unless `tty`). */
export async function cli(
  args: string[],
  options: { tty?: boolean; answer?: boolean; cwd?: string } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    isTTY: options.tty === true,
    confirm: async () => options.answer === true,
    stderr: { write: (t: string) => err.push(t) } as unknown as NodeJS.WritableStream,
  };
  const previous = process.cwd();
  if (options.cwd !== undefined) process.chdir(options.cwd);
  try {
    const code = await runCli(args, output);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    process.chdir(previous);
  }
}

/** Runs `cli/bin.ts` in a child process (through ts-node), as a user's shell would. */
export function cliProcess(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = {}): CliRun {
  const bin = resolve(__dirname, '..', '..', 'cli', 'bin.ts');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_PROJECT: resolve(__dirname, '..', '..', 'tsconfig.json'), ...env },
  });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}
