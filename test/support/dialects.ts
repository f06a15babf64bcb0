/** The databases the suite can run on, and which of them this run uses. */
export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

export const ALL_DIALECTS: readonly TestDialect[] = ['sqlite', 'postgres', 'mysql'];

/** Set by test/support/global-setup.ts: the dialects requested and reachable in this run. */
export function availableDialects(): TestDialect[] {
  const value = process.env.SYNCHRO_AVAILABLE_DIALECTS ?? 'sqlite';
  return value.split(',').filter((d): d is TestDialect => (ALL_DIALECTS as readonly string[]).includes(d));
}

export function requestedDialects(): TestDialect[] {
  const value = process.env.SYNCHRO_DIALECTS;
  if (value === undefined || value.trim() === '') return [...ALL_DIALECTS];
  return value.split(',').map((d) => d.trim()) as TestDialect[];
}
