import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** A child process that holds the SQLite run lease of one database file. */
export interface LeaseHolder {
  /** The owner string the child wrote into `synchro_lease`. */
  owner: string;
  pid: number;
  /** SIGKILLs the child (as a crash would) and resolves once it has exited and been reaped. */
  kill(): Promise<void>;
}

/** Starts a child (through ts-node, as the crash tests do) that takes and keeps the lease of `database`. */
export function spawnLeaseHolder(database: string): Promise<LeaseHolder> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      resolve(__dirname, 'lease-child.ts'),
      JSON.stringify({ database }),
    ],
    {
      env: { ...process.env, TS_NODE_PROJECT: resolve(__dirname, '../../../tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const held = /^held (\S+)$/m.exec(stdout);
      if (held !== null)
        resolvePromise({ owner: held[1] as string, pid: child.pid as number, kill: () => kill(child) });
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      reject(new Error(`lease child exited (${code}) before holding the lease: ${stderr}`)),
    );
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGKILL');
  });
}
