import type { IncomingMessage, ServerResponse } from 'node:http';
import { SYNCHRO_ENGINE } from './admin-engine';
import { sendHtml, subPathOf } from './admin-http';
import { messagePage, type PageContext } from './admin-layout';
import { failureBlock } from './admin-format';
import { messagesFor } from './admin-messages';
import { resolveAdminOptions, type SynchroAdminOptions } from './admin-options';
import { adminRequestOf, routeAdminRequest, type AdminApp } from './admin-routes';
import { createCsrfGuard } from './csrf';
import { html } from './html';
import { failureOf, RunRegistry } from './run-registry';

/**
 * A standard Node request handler, usable as Express / Connect middleware (`next` is called for
 * paths outside `basePath`), with plain `http.createServer`, or through Fastify's middleware plugin.
 * It never rejects.
 *
 * @example
 * ```ts
 * const admin: SynchroAdminHandler = createSynchroAdmin({ local, remote, authorize })
 * http.createServer((req, res) => void admin(req, res, () => app(req, res)))
 * ```
 */
export type SynchroAdminHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/**
 * The synchronization admin page: status, pending changes, Preview, Synchronize and Reset, safe to
 * expose to staff. `authorize` is required and runs first on every request; state changes are
 * CSRF-checked POSTs answered with redirects; runs go on in the background while their page
 * refreshes itself.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createSynchroAdmin } from 'typeorm-synchro'
 *
 * const app = express()
 * app.use(createSynchroAdmin({
 *   local: office,
 *   remote: production,
 *   authorize: (req) => (req as express.Request).session?.user?.isStaff === true,
 *   secret: process.env.SYNCHRO_ADMIN_SECRET,
 *   basePath: '/admin/synchro',
 *   allowReset: true,
 *   locale: 'de',
 * }))
 * ```
 */
export function createSynchroAdmin(options: SynchroAdminOptions): SynchroAdminHandler {
  const resolved = resolveAdminOptions(options);
  const app: AdminApp = {
    options: resolved,
    csrf: createCsrfGuard(resolved.secret),
    runs: new RunRegistry(),
    engine: SYNCHRO_ENGINE,
  };
  return async (req, res, next) => {
    const target = subPathOf(req, resolved.basePath);
    if (target === undefined) return next === undefined ? notFound(app, req, res) : next();
    try {
      if (!(await isAuthorized(app, req))) return forbidden(app, req, res);
      await routeAdminRequest(adminRequestOf(app, req, res, target));
    } catch (error) {
      serverError(app, req, res, error);
    }
  };
}

async function isAuthorized(app: AdminApp, req: IncomingMessage): Promise<boolean> {
  return Boolean(await app.options.authorize(req));
}

function bareContext(app: AdminApp, req: IncomingMessage): PageContext {
  const locale = app.options.localeOf(req);
  return {
    t: messagesFor(locale),
    locale,
    basePath: app.options.basePath,
    csrfToken: '',
    debug: app.options.debug,
  };
}

function forbidden(app: AdminApp, req: IncomingMessage, res: ServerResponse): void {
  const ctx = bareContext(app, req);
  sendHtml(res, 403, messagePage(ctx, ctx.t.forbidden));
}

function notFound(app: AdminApp, req: IncomingMessage, res: ServerResponse): void {
  const ctx = bareContext(app, req);
  sendHtml(res, 404, messagePage(ctx, ctx.t.notFound));
}

// The message and code only; the stack only with `debug`. Never the raw error object.
function serverError(app: AdminApp, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const ctx = bareContext(app, req);
  const detail = app.options.debug ? failureBlock(ctx, failureOf(error)) : html``;
  sendHtml(res, 500, messagePage(ctx, ctx.t.serverError, detail));
}
