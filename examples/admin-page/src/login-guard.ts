import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const COOKIE = 'demo_session';
const SESSION_MS = 8 * 60 * 60 * 1000;

/**
 * The example's stand-in for your app's login: one fixed password, and a session cookie that is an
 * expiry time signed with HMAC. Your app passes its own check to `authorize` instead.
 */
export class LoginGuard {
  constructor(
    private readonly password: string,
    private readonly secret: string,
  ) {}

  /** Whether the request carries a valid, unexpired session cookie. */
  isLoggedIn(req: IncomingMessage): boolean {
    const value = cookieOf(req, COOKIE);
    const [expires, mac] = value?.split('.') ?? [];
    if (expires === undefined || mac === undefined || Number(expires) < Date.now()) return false;
    return same(this.sign(expires), mac);
  }

  /** Checks a password; on success sets the session cookie. */
  logIn(password: string, res: ServerResponse): boolean {
    if (!same(password, this.password)) return false;
    const expires = String(Date.now() + SESSION_MS);
    res.setHeader(
      'Set-Cookie',
      `${COOKIE}=${expires}.${this.sign(expires)}; Path=/; HttpOnly; SameSite=Strict`,
    );
    return true;
  }

  /** Clears the session cookie. */
  logOut(res: ServerResponse): void {
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  }

  private sign(expires: string): string {
    return createHmac('sha256', this.secret).update(`session:${expires}`).digest('base64url');
  }
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
