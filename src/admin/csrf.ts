import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Name of the cookie holding the browser's CSRF nonce. */
export const CSRF_COOKIE = 'synchro_csrf';

/** Name of the hidden form field carrying the CSRF token. */
export const CSRF_FIELD = 'csrf';

/** Issues and checks CSRF tokens: an HMAC of the browser's cookie nonce under the admin's secret. */
export interface CsrfGuard {
  /** A fresh random nonce for a browser that has none (set it as the {@link CSRF_COOKIE} cookie). */
  newNonce(): string;
  /** The form token for a browser's nonce. */
  tokenFor(nonce: string): string;
  /** Whether `token` was issued for `nonce` by this guard's secret (constant-time comparison). */
  verify(nonce: string | undefined, token: string | undefined): boolean;
}

/**
 * A double-submit CSRF guard signed with `secret`: the nonce lives in a `SameSite=Strict`, HttpOnly
 * cookie and the form carries HMAC-SHA256(secret, nonce). A cross-site form can neither read the
 * cookie nor compute the token.
 *
 * @example
 * ```ts
 * const csrf = createCsrfGuard('a long random secret')
 * const nonce = csrf.newNonce()
 * csrf.verify(nonce, csrf.tokenFor(nonce)) // true
 * ```
 */
export function createCsrfGuard(secret: string | Buffer): CsrfGuard {
  const tokenFor = (nonce: string) =>
    createHmac('sha256', secret).update(`csrf:${nonce}`).digest('base64url');
  return {
    newNonce: () => randomBytes(24).toString('base64url'),
    tokenFor,
    verify: (nonce, token) => {
      if (!nonce || !token || !/^[\w-]{16,128}$/.test(nonce)) return false;
      return sameText(tokenFor(nonce), token);
    },
  };
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
