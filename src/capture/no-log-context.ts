import { AsyncLocalStorage } from 'node:async_hooks';

interface NoLogStore {
  readonly noLog: boolean;
}

const storage: AsyncLocalStorage<NoLogStore> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('typeorm-synchro:no-log-context')
] ??= new AsyncLocalStorage<NoLogStore>()) as AsyncLocalStorage<NoLogStore>;

const NO_LOG: NoLogStore = { noLog: true };

/**
 * Runs `fn` so that the writes it makes, however deeply nested (sync or async, inside transactions,
 * listeners and `Promise.all`), are not logged. Other concurrent flows keep logging. Returns what
 * `fn` returns. The synchronizer applies remote writes this way, so they are not echoed back.
 *
 * @example
 * ```ts
 * await runInNoLogContext(async () => {
 *   agent.balance -= parcel.paymentLeft
 *   await manager.save(agent) // not logged: the remote recomputes the balance itself
 * })
 * ```
 */
export function runInNoLogContext<T>(fn: () => T): T {
  return storage.run(NO_LOG, fn);
}

/** Whether the current async flow runs inside {@link runInNoLogContext}. */
export function isNoLogContext(): boolean {
  return storage.getStore()?.noLog === true;
}

/**
 * Method decorator: the method runs in {@link runInNoLogContext}, so its writes are not logged
 * (django-synchro's `@disable_synchro_log`). Works for sync and async methods.
 *
 * @example
 * ```ts
 * class BalanceListener {
 *   @NoSynchroLog()
 *   async parcelDeleted(manager: EntityManager, parcel: Parcel) { ... }
 * }
 * ```
 */
export function NoSynchroLog(): MethodDecorator {
  return (_target, _property, descriptor) => {
    const original = descriptor.value as unknown;
    if (typeof original !== 'function') return descriptor;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return runInNoLogContext(() => (original as (...a: unknown[]) => unknown).apply(this, args));
    };
    Object.defineProperty(wrapped, 'name', { value: (original as { name: string }).name });
    descriptor.value = wrapped as typeof descriptor.value;
    return descriptor;
  };
}
