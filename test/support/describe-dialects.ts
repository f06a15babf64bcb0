import { availableDialects, type TestDialect } from './dialects';

/**
 * Runs `fn` once per reachable database, each in its own named `describe` ("… [postgres]"), so a
 * failure names the database. Unreachable ones were announced by the global setup (and fail under CI).
 */
export function describeEachDialect(title: string, fn: (dialect: TestDialect) => void): void {
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
    const run = availableDialects().includes(dialect) ? describe : describe.skip;
    run(`${title} [${dialect}]`, () => fn(dialect));
  }
}

/** A source → target pair of databases. */
export interface DialectPair {
  source: TestDialect;
  target: TestDialect;
}

/** The pairs the synchronizer suite covers. */
export const SYNC_PAIRS: readonly DialectPair[] = [
  { source: 'sqlite', target: 'sqlite' },
  { source: 'sqlite', target: 'postgres' },
  { source: 'postgres', target: 'mysql' },
  { source: 'mysql', target: 'sqlite' },
];

/** Runs `fn` once per pair whose databases are both reachable, each in its own named `describe`. */
export function describeEachPair(title: string, fn: (pair: DialectPair) => void, pairs = SYNC_PAIRS): void {
  const available = availableDialects();
  for (const pair of pairs) {
    const ok = available.includes(pair.source) && available.includes(pair.target);
    (ok ? describe : describe.skip)(`${title} [${pair.source}->${pair.target}]`, () => fn(pair));
  }
}
