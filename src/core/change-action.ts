/**
 * What a log row says happened to an object. `m2m` marks a change of the owning-side object's
 * many-to-many join rows. Stored as these readable strings.
 */
export type ChangeAction = 'insert' | 'update' | 'delete' | 'm2m';

/** All actions, in the order a human reads them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['insert', 'update', 'delete', 'm2m'];

/** @internal */
export function isChangeAction(value: unknown): value is ChangeAction {
  return typeof value === 'string' && (CHANGE_ACTIONS as readonly string[]).includes(value);
}
