import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import type { AdminEngine } from './admin-engine';
import { cookiesOf, readForm, redirect, send, sendHtml } from './admin-http';
import { messagePage, STYLESHEET_PATH, type PageContext } from './admin-layout';
import { messagesFor } from './admin-messages';
import type { ResolvedAdminOptions } from './admin-options';
import { ADMIN_CSS } from './admin-style';
import { CSRF_COOKIE, CSRF_FIELD, type CsrfGuard } from './csrf';
import { dashboardPage, type DashboardNotice, type Loaded } from './dashboard-page';
import { FORGET_IDS_FIELD, resetPage } from './reset-page';
import { failureOf, type RunKind, type RunRecord, type RunRegistry } from './run-registry';
import { runPage } from './run-page';
import { reverseSyncOptions } from '../sync/reverse-sync-options';

/** One admin page instance: its options and its state. */
export interface AdminApp {
  readonly options: ResolvedAdminOptions;
  readonly csrf: CsrfGuard;
  readonly runs: RunRegistry;
  readonly engine: AdminEngine;
}

/** A request the admin page answers, with its page context. */
interface AdminRequest {
  readonly app: AdminApp;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly ctx: PageContext;
  /** The browser's CSRF nonce (from its cookie, or the one being set). */
  readonly nonce: string;
}

type RouteHandler = (r: AdminRequest) => Promise<void> | void;

const RUN_PATH = /^\/runs\/([0-9a-f-]{36})$/;

const GET_ROUTES: Readonly<Record<string, RouteHandler>> = {
  '/': showDashboard,
  [STYLESHEET_PATH]: ({ res }) =>
    send(res, 200, 'text/css; charset=utf-8', ADMIN_CSS, { 'Cache-Control': 'private, max-age=300' }),
  '/reset': showReset,
};

const POST_ROUTES: Readonly<Record<string, RouteHandler>> = {
  '/preview': (r) => startRun(r, 'preview'),
  '/sync': (r) => startRun(r, 'sync'),
  '/reset': performReset,
};

/**
 * Builds the page context of an authorized request: locale, messages and CSRF token; sets the
 * nonce cookie when the browser has none.
 */
export function adminRequestOf(
  app: AdminApp,
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; query: URLSearchParams },
): AdminRequest {
  const { options, csrf } = app;
  const given = cookiesOf(req).get(CSRF_COOKIE);
  const nonce = given !== undefined && /^[\w-]{16,128}$/.test(given) ? given : csrf.newNonce();
  if (nonce !== given) res.setHeader('Set-Cookie', csrfCookie(req, options.basePath, nonce));
  const locale = options.localeOf(req);
  const ctx: PageContext = {
    t: messagesFor(locale),
    locale,
    basePath: options.basePath,
    csrfToken: csrf.tokenFor(nonce),
    debug: options.debug,
  };
  return { app, req, res, path: target.path, query: target.query, ctx, nonce };
}

function csrfCookie(req: IncomingMessage, basePath: string, nonce: string): string {
  const secure =
    (req.socket as { encrypted?: boolean }).encrypted === true ||
    req.headers['x-forwarded-proto'] === 'https';
  return `${CSRF_COOKIE}=${nonce}; Path=${basePath || '/'}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * Answers an authorized request for the admin page: GET pages, CSRF-checked POST actions that end
 * in a redirect, 404 and 405 otherwise.
 */
export async function routeAdminRequest(r: AdminRequest): Promise<void> {
  const method = r.req.method ?? 'GET';
  const getRoute = GET_ROUTES[r.path] ?? (RUN_PATH.test(r.path) ? showRun : undefined);
  const postRoute = POST_ROUTES[r.path];
  if ((method === 'GET' || method === 'HEAD') && getRoute !== undefined) return getRoute(r);
  if (method === 'POST' && postRoute !== undefined) return guardedPost(r, postRoute);
  if (getRoute === undefined && postRoute === undefined)
    return sendHtml(r.res, 404, messagePage(r.ctx, r.ctx.t.notFound));
  const allow = [getRoute && 'GET, HEAD', postRoute && 'POST'].filter(Boolean).join(', ');
  sendHtml(r.res, 405, messagePage(r.ctx, r.ctx.t.methodNotAllowed), { Allow: allow });
}

async function guardedPost(r: AdminRequest, route: RouteHandler): Promise<void> {
  const form = await readForm(r.req);
  if (!r.app.csrf.verify(r.nonce, form.get(CSRF_FIELD) ?? undefined)) {
    return sendHtml(r.res, 403, messagePage(r.ctx, r.ctx.t.csrfRefused));
  }
  return route({ ...r, query: form });
}

async function showDashboard(r: AdminRequest): Promise<void> {
  const { options, runs } = r.app;
  const [status, pending] = await loadStatus(r.app);
  const notice: DashboardNotice | undefined = r.query.get('notice') === 'reset' ? 'reset' : undefined;
  const view = {
    remoteLabel: labelOf(options.remote),
    status,
    pending,
    allowReset: options.allowReset,
    notice,
    runs: runs.recent(),
    running: runs.running(),
  };
  sendHtml(r.res, 200, dashboardPage(r.ctx, view));
}

// Sequential: a SQLite DataSource has a single connection.
async function loadStatus(
  app: AdminApp,
): Promise<[Loaded<Awaited<ReturnType<AdminEngine['getSyncStatus']>>>, Loaded<Record<string, number>>]> {
  const { local, remote } = app.options;
  const status = await loaded(() => app.engine.getSyncStatus(local, remote));
  const pending = await loaded(() =>
    app.engine.countPendingChanges(local, remote === null ? {} : { remote }),
  );
  return [status, pending];
}

async function loaded<T>(read: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, failure: failureOf(error) };
  }
}

/**
 * A short label for a DataSource: its type and database (a file's base name for SQLite).
 *
 * @example
 * ```ts
 * labelOf(remote) // 'postgres · shop'
 * ```
 */
export function labelOf(dataSource: DataSource | null): string | null {
  if (dataSource === null) return null;
  const database = String(dataSource.options.database ?? '');
  const name = database.split(/[\\/]/).pop() ?? database;
  return `${dataSource.options.type} · ${name}`;
}

function showRun(r: AdminRequest): void {
  const id = RUN_PATH.exec(r.path)?.[1] ?? '';
  const run = r.app.runs.get(id);
  if (run === undefined) return sendHtml(r.res, 404, messagePage(r.ctx, r.ctx.t.notFound));
  sendHtml(r.res, 200, runPage(r.ctx, run));
}

function showReset(r: AdminRequest): void {
  const refusal = resetRefusal(r);
  if (refusal !== undefined) return sendHtml(r.res, refusal.status, messagePage(r.ctx, refusal.message));
  sendHtml(r.res, 200, resetPage(r.ctx));
}

function resetRefusal(r: AdminRequest): { status: number; message: string } | undefined {
  if (!r.app.options.allowReset) return { status: 403, message: r.ctx.t.resetDisabled };
  if (r.app.options.remote === null) return { status: 409, message: r.ctx.t.noRemote };
  return undefined;
}

function startRun(r: AdminRequest, kind: RunKind): void {
  const { options, runs, engine } = r.app;
  const remote = options.remote;
  if (remote === null) return sendHtml(r.res, 409, messagePage(r.ctx, r.ctx.t.noRemote));
  const { run } = runs.start(kind, async ({ onProgress, onResult }) => {
    const there = {
      ...options.syncOptions,
      local: options.local,
      remote,
      dryRun: kind === 'preview',
      onProgress,
    };
    onResult(await engine.synchronize(there));
    if (options.bothWays) onResult(await engine.synchronize(reverseSyncOptions(there)));
  });
  redirect(r.res, runPathOf(r, run));
}

function runPathOf(r: AdminRequest, run: RunRecord): string {
  return `${r.ctx.basePath}/runs/${run.id}`;
}

// Through the run registry, so a reset and a synchronization never overlap.
async function performReset(r: AdminRequest): Promise<void> {
  const refusal = resetRefusal(r);
  if (refusal !== undefined) return sendHtml(r.res, refusal.status, messagePage(r.ctx, refusal.message));
  const { local } = r.app.options;
  const forgetIds = r.query.get(FORGET_IDS_FIELD) === '1';
  const { run, started } = r.app.runs.start('reset', async () => {
    await r.app.engine.resetSynchro(local, { forgetIds });
  });
  if (started) await run.finished;
  if (!started || run.state === 'failed') return redirect(r.res, runPathOf(r, run));
  redirect(r.res, `${r.ctx.basePath}/?notice=reset`);
}
