import type { PageContext } from './admin-layout';
import { html, type SafeHtml } from './html';
import type { RunFailure } from './run-registry';

/**
 * An ISO time as `YYYY-MM-DD HH:MM:SS UTC` (unambiguous whatever the server's or reader's zone).
 *
 * @example
 * ```ts
 * formatTime('2026-11-28T05:45:25.123Z') // '2026-11-28 05:45:25 UTC'
 * ```
 */
export function formatTime(iso: string | null | undefined): string {
  if (iso == null) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A key object as `a=1, b=x` (a single-column key as its value alone).
 *
 * @example
 * ```ts
 * formatKey({ id: '5' }) // '5'
 * formatKey({ code: 'A', day: '2026-01-01' }) // 'code=A, day=2026-01-01'
 * ```
 */
export function formatKey(key: Record<string, unknown> | undefined): string {
  if (key === undefined) return '';
  const entries = Object.entries(key);
  if (entries.length === 1) return String(entries[0]?.[1]);
  return entries.map(([name, value]) => `${name}=${String(value)}`).join(', ');
}

/**
 * An error block: the seed's "An error occured: …" with the code, the hint, and the stack only when
 * the admin's `debug` option is on.
 *
 * @example
 * ```ts
 * failureBlock(ctx, failureOf(error))
 * ```
 */
export function failureBlock(ctx: PageContext, failure: RunFailure): SafeHtml {
  return html`<div class="notice error" role="alert">
    <p>${ctx.t.errorOccurred(failure.message)}</p>
    <p>${ctx.t.code}: <code>${failure.code}</code></p>
    ${failure.hint === undefined ? '' : html`<p>${ctx.t.hint}: ${failure.hint}</p>`}
    ${ctx.debug && failure.stack !== undefined ? html`<pre class="stack">${failure.stack}</pre>` : ''}
  </div>`;
}
