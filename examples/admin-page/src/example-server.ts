import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { openSite, seedOffice } from './data-sources';
import { LoginGuard } from './login-guard';
import { createSynchroAdmin, type AdminLocale } from './synchro';

/** Options of {@link startAdminExample}. */
export interface AdminExampleOptions {
  /** Folder of the two SQLite files (`office.sqlite`, `production.sqlite`). */
  dataDir: string;
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default `'demo'`. */
  password?: string;
  locale?: AdminLocale;
}

/** A running example: its URL, its two databases, and how to stop it. */
export interface AdminExample {
  url: string;
  office: DataSource;
  production: DataSource;
  close(): Promise<void>;
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in</title></head>
<body><main><h1>Example app: log in</h1>
<form method="post" action="/login">
<label>Password <input type="password" name="password" autofocus></label>
<button type="submit">Log in</button>
</form></main></body></html>`;

/**
 * Starts the example: an "office" database (local, seeded with a few rows) synchronized to a
 * "production" database (remote), the admin page under /synchro behind a password login.
 */
export async function startAdminExample(options: AdminExampleOptions): Promise<AdminExample> {
  const office = await openSite(options.dataDir, 'office.sqlite');
  const production = await openSite(options.dataDir, 'production.sqlite');
  await seedOffice(office);
  const guard = new LoginGuard(options.password ?? 'demo', randomBytes(32).toString('hex'));
  const admin = createSynchroAdmin({
    local: office,
    remote: production,
    authorize: (req) => guard.isLoggedIn(req),
    allowReset: true,
    locale: options.locale ?? 'en',
  });
  const server = createServer((req, res) => void route(req, res, guard, admin));
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, '127.0.0.1', resolve));
  return { url: urlOf(server), office, production, close: () => stop(server, office, production) };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  guard: LoginGuard,
  admin: ReturnType<typeof createSynchroAdmin>,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://example.invalid').pathname;
  if (path === '/login') return login(req, res, guard);
  if (path === '/' || (path.startsWith('/synchro') && req.method === 'GET' && !guard.isLoggedIn(req))) {
    return seeOther(res, guard.isLoggedIn(req) ? '/synchro/' : '/login');
  }
  await admin(req, res, () => {
    res.statusCode = 404;
    res.end('Not found');
  });
}

async function login(req: IncomingMessage, res: ServerResponse, guard: LoginGuard): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', "default-src 'self'");
    res.end(LOGIN_PAGE);
    return;
  }
  const form = new URLSearchParams(await bodyOf(req));
  seeOther(res, guard.logIn(form.get('password') ?? '', res) ? '/synchro/' : '/login');
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8').slice(0, 4096);
}

function seeOther(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.end();
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server, office: DataSource, production: DataSource): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await Promise.all([office.destroy(), production.destroy()]);
}
