import type { AdminLocale, AdminMessages } from './admin-messages';
import { CSRF_FIELD } from './csrf';
import { html, type SafeHtml } from './html';

/** What every admin page template needs. */
export interface PageContext {
  readonly t: AdminMessages;
  readonly locale: AdminLocale;
  /** Public path of the admin page, without a trailing slash. */
  readonly basePath: string;
  /** The CSRF token for this browser's forms. */
  readonly csrfToken: string;
  readonly debug: boolean;
}

/** Path of the stylesheet under the base path (a file: a strict CSP forbids inline styles). */
export const STYLESHEET_PATH = '/assets/admin.css';

/**
 * The page frame: language, stylesheet, optional self-refresh (a meta tag, not a script), heading.
 *
 * @example
 * ```ts
 * layout(ctx, { title: ctx.t.title, body: html`<p>…</p>` })
 * ```
 */
export function layout(
  ctx: PageContext,
  page: { title: string; body: SafeHtml; refreshSeconds?: number },
): SafeHtml {
  return html`<!doctype html>
    <html lang="${ctx.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${page.refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${page.refreshSeconds}" />`}
        <title>${page.title}</title>
        <link rel="stylesheet" href="${ctx.basePath}${STYLESHEET_PATH}" />
      </head>
      <body>
        <main>
          <h1>${page.title}</h1>
          ${page.body}
        </main>
      </body>
    </html> `;
}

/**
 * A POST form with the CSRF token and one submit button (disabled forms post nothing).
 *
 * @example
 * ```ts
 * postButton(ctx, '/sync', ctx.t.synchronize, { variant: 'primary' })
 * ```
 */
export function postButton(
  ctx: PageContext,
  action: string,
  label: string,
  options: { variant?: 'primary' | 'danger'; disabled?: boolean; extra?: SafeHtml; name?: string } = {},
): SafeHtml {
  const cls = options.variant === undefined ? 'button' : `button ${options.variant}`;
  return html`<form method="post" action="${ctx.basePath}${action}" class="inline">
    <input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrfToken}" />
    ${options.extra}
    <button
      type="submit"
      class="${cls}"
      ${options.name === undefined ? '' : html` name="${options.name}"`}${options.disabled === true ? html` disabled` : ''}
    >
      ${label}
    </button>
  </form>`;
}

/**
 * A simple table: header cells and rows of already-rendered or plain cells (plain ones are escaped).
 *
 * @example
 * ```ts
 * table(['Entity', 'Changes'], [['order', 3]])
 * ```
 */
export function table(
  head: readonly string[],
  rows: readonly (readonly (string | number | SafeHtml)[])[],
): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        ${head.map((cell) => html`<th scope="col">${cell}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${row.map((cell) => html`<td>${cell}</td>`)}
          </tr> `,
      )}
    </tbody>
  </table>`;
}

/**
 * A standalone message page (403, 404, errors), with a link back to the admin page.
 *
 * @example
 * ```ts
 * messagePage(ctx, ctx.t.forbidden)
 * ```
 */
export function messagePage(ctx: PageContext, message: string, detail?: SafeHtml): SafeHtml {
  return layout(ctx, {
    title: ctx.t.title,
    body: html`<p class="notice error" role="alert">${message}</p>
      ${detail}
      <p><a href="${ctx.basePath}/">${ctx.t.back}</a></p>`,
  });
}
