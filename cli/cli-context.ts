import type { LoadedConfig } from './load-config';
import type { Output } from './output';

/** What every command handler gets: the output channel, the loaded config, and the exit code to set. */
export interface CliContext {
  readonly output: Output;
  config: LoadedConfig;
  exitCode: number;
}

/** Options every command shares. */
export interface CommonArgs {
  config?: string;
  verbose?: boolean;
}
