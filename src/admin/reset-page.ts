import { layout, postButton, type PageContext } from './admin-layout';
import { html, type SafeHtml } from './html';

/** Name of the reset form's checkbox that also forgets the id map. */
export const FORGET_IDS_FIELD = 'forgetIds';

/**
 * The reset confirmation: what a reset does, an opt-in to forget the id map, and a POST form.
 *
 * @example
 * ```ts
 * send(res, 200, resetPage(ctx))
 * ```
 */
export function resetPage(ctx: PageContext): SafeHtml {
  const checkbox = html`<p>
    <label><input type="checkbox" name="${FORGET_IDS_FIELD}" value="1" /> ${ctx.t.forgetIds}</label
    ><br /><small>${ctx.t.forgetIdsHint}</small>
  </p>`;
  return layout(ctx, {
    title: ctx.t.resetTitle,
    body: html`<p class="notice warning">${ctx.t.resetQuestion}</p>
      <div class="actions">
        ${postButton(ctx, '/reset', ctx.t.confirmReset, { extra: checkbox, name: 'confirm', variant: 'danger' })}
        <a class="button" href="${ctx.basePath}/">${ctx.t.cancel}</a>
      </div>`,
  });
}
