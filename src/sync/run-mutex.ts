/** Releases what {@link acquireRunMutex} took. Idempotent. */
export type MutexRelease = () => void;

interface MutexState {
  held: boolean;
  waiters: (() => void)[];
}

const states = new WeakMap<object, MutexState>();
const order = new WeakMap<object, number>();
let nextOrder = 0;

/**
 * Takes the in-process run mutex of every object in `targets` (DataSources), waiting at most
 * `timeoutMs` for each; resolves to a release function, or `undefined` when the wait timed out (then
 * nothing is held). Targets are taken in a fixed global order, so A→B and B→A runs cannot deadlock.
 *
 * @example
 * ```ts
 * const release = await acquireRunMutex([remote], 10_000)
 * if (release === undefined) throw new SynchroLockedError('remote', 10_000)
 * try { ... } finally { release() }
 * ```
 */
export async function acquireRunMutex(
  targets: readonly object[],
  timeoutMs: number,
): Promise<MutexRelease | undefined> {
  const sorted = [...new Set(targets)].sort((a, b) => orderOf(a) - orderOf(b));
  const taken: object[] = [];
  for (const target of sorted) {
    if (!(await takeOne(target, timeoutMs))) {
      taken.reverse().forEach(releaseOne);
      return undefined;
    }
    taken.push(target);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    taken.reverse().forEach(releaseOne);
  };
}

function orderOf(target: object): number {
  let value = order.get(target);
  if (value === undefined) {
    value = nextOrder++;
    order.set(target, value);
  }
  return value;
}

function stateOf(target: object): MutexState {
  let state = states.get(target);
  if (state === undefined) {
    state = { held: false, waiters: [] };
    states.set(target, state);
  }
  return state;
}

function takeOne(target: object, timeoutMs: number): Promise<boolean> {
  const state = stateOf(target);
  if (!state.held) {
    state.held = true;
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const waiter = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      state.waiters.splice(state.waiters.indexOf(waiter), 1);
      resolve(false);
    }, timeoutMs);
    state.waiters.push(waiter);
  });
}

// Ownership passes straight to the next waiter, so a newcomer cannot jump the queue.
function releaseOne(target: object): void {
  const state = stateOf(target);
  const next = state.waiters.shift();
  if (next === undefined) state.held = false;
  else next();
}
