/** Milliseconds `fn` took (wall clock, high resolution). */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Runs every one of `runs` once per round, in turn, `warmUp` untimed rounds first, and returns each
 * run's times (ms, as it reports them) in round order. Taking turns spreads the machine's drift and
 * the process's warming over all of them alike, which timing one block after another does not.
 *
 * @example
 * const [floor, engine] = await alternatingRounds([copyFloor, syncEngine], 3);
 */
export async function alternatingRounds(
  runs: readonly (() => Promise<number>)[],
  rounds: number,
  warmUp = 0,
): Promise<number[][]> {
  const times = runs.map((): number[] => []);
  for (let r = 0; r < warmUp + rounds; r++) {
    for (const [i, run] of runs.entries()) {
      const ms = await run();
      if (r >= warmUp) times[i]?.push(ms);
    }
  }
  return times;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A progress line on stderr (the table goes to stdout). */
export function note(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
