import type { SyncResult } from '../sync/sync-result';
import { failureBlock, formatKey, formatTime } from './admin-format';
import { layout, table, type PageContext } from './admin-layout';
import { html, type SafeHtml } from './html';
import type { RunRecord } from './run-registry';

/** Seconds between refreshes of a running run's page. */
export const RUN_REFRESH_SECONDS = 1;

/** At most this many plan rows are listed; the rest are counted. */
export const PLAN_ROWS_SHOWN = 500;

/**
 * A run's page: progress (refreshing itself with a meta tag) while it runs, then the result summary
 * or the error.
 *
 * @example
 * ```ts
 * send(res, 200, runPage(ctx, registry.get(id)!))
 * ```
 */
export function runPage(ctx: PageContext, run: RunRecord): SafeHtml {
  const running = run.state === 'running';
  return layout(ctx, {
    title: `${ctx.t.runKind[run.kind]} · ${ctx.t.runState[run.state]}`,
    refreshSeconds: running ? RUN_REFRESH_SECONDS : undefined,
    body: html`<p class="meta">
        ${ctx.t.started}:
        ${formatTime(run.startedAt)}${run.finishedAt === undefined ? '' : html` · ${ctx.t.finished}: ${formatTime(run.finishedAt)}`}
      </p>
      ${running ? progressBlock(ctx, run) : ''} ${run.error === undefined ? '' : failureBlock(ctx, run.error)}
      ${resultBlocks(ctx, run)}
      ${run.kind === 'reset' && run.state === 'done' ? html`<p class="notice success" role="status">${ctx.t.resetDone}</p>` : ''}
      <p><a class="button" href="${ctx.basePath}/">${ctx.t.back}</a></p>`,
  });
}

function progressBlock(ctx: PageContext, run: RunRecord): SafeHtml {
  const p = run.progress;
  const label =
    p === undefined
      ? html``
      : html`<p>
          ${ctx.t.progress(p.entity === undefined ? p.phase : `${p.phase} (${p.entity})`, p.done, p.total)}
        </p>`;
  const bar =
    p === undefined || p.total <= 0
      ? html`<progress></progress>`
      : html`<progress value="${p.done}" max="${p.total}"></progress>`;
  return html`<div class="notice info" role="status">
    <p>${ctx.t.running}</p>
    ${bar} ${label}
  </div>`;
}

/**
 * One block per direction run. A heading names the direction when there is more than one, or when a
 * run stopped after its first (a two-way run whose way back failed or is still going).
 */
function resultBlocks(ctx: PageContext, run: RunRecord): SafeHtml {
  const headed = run.results.length > 1 || (run.results.length > 0 && run.state !== 'done');
  const directions = [ctx.t.direction.there, ctx.t.direction.back];
  return html`${run.results.map(
    (result, i) => html`${headed ? html`<h2>${directions[i] ?? ''}</h2>` : ''} ${resultBlock(ctx, result)}`,
  )}`;
}

function resultBlock(ctx: PageContext, result: SyncResult): SafeHtml {
  return html`<p class="notice success" role="status">${messageOf(ctx, result)}</p>
    <p class="meta">
      ${ctx.t.duration(result.durationMs)} · ${ctx.t.clockSkew}: ${ctx.t.clockSkewValue(result.clockSkewMs)} ·
      ${ctx.t.checkpoint}: ${result.checkpoint.logId}
    </p>
    ${warnings(ctx, result.warnings)}
    ${result.status === 'dry-run' ? planTable(ctx, result) : countsTable(ctx, result)}
    ${conflictsTable(ctx, result)} ${skippedTable(ctx, result)}`;
}

function messageOf(ctx: PageContext, result: SyncResult): string {
  if (result.status === 'synced') return ctx.t.synced;
  if (result.status === 'no-changes') return ctx.t.noChanges;
  return ctx.t.dryRun;
}

function warnings(ctx: PageContext, list: readonly string[]): SafeHtml {
  if (list.length === 0) return html``;
  return html`<section>
    <h2>${ctx.t.warnings}</h2>
    <ul class="warnings">
      ${list.map((w) => html`<li>${w}</li>`)}
    </ul>
  </section>`;
}

function countsTable(ctx: PageContext, result: SyncResult): SafeHtml {
  const entries = Object.entries(result.counts);
  const body =
    entries.length === 0
      ? html`<p>${ctx.t.noCounts}</p>`
      : table(
          [ctx.t.entity, ctx.t.inserted, ctx.t.updated, ctx.t.deleted, ctx.t.m2m, ctx.t.skipped],
          entries.map(([entity, c]) => [entity, c.inserted, c.updated, c.deleted, c.m2m, c.skipped]),
        );
  return html`<section>
    <h2>${ctx.t.counts}</h2>
    ${body}
  </section>`;
}

function planTable(ctx: PageContext, result: SyncResult): SafeHtml {
  const shown = result.plan.slice(0, PLAN_ROWS_SHOWN);
  const more = result.plan.length - shown.length;
  const body =
    shown.length === 0
      ? html`<p>${ctx.t.noCounts}</p>`
      : table(
          [ctx.t.entity, ctx.t.key, ctx.t.action, ctx.t.reason, ctx.t.remoteKey],
          shown.map((a) => [a.entity, formatKey(a.key), a.action, a.reason, formatKey(a.remoteKey)]),
        );
  return html`<section>
    <h2>${ctx.t.plan}</h2>
    ${body}${more > 0 ? html`<p>${ctx.t.morePlanRows(more)}</p>` : ''}
  </section>`;
}

function conflictsTable(ctx: PageContext, result: SyncResult): SafeHtml {
  if (result.conflicts.length === 0) return html``;
  const rows = result.conflicts.map((c) => [
    c.entity,
    formatKey(c.key),
    c.decision,
    c.reason,
    formatTime(c.localAt),
    formatTime(c.remoteAt),
  ]);
  return html`<section>
    <h2>${ctx.t.conflicts}</h2>
    ${table([ctx.t.entity, ctx.t.key, ctx.t.decision, ctx.t.reason, ctx.t.localAt, ctx.t.remoteAt], rows)}
  </section>`;
}

function skippedTable(ctx: PageContext, result: SyncResult): SafeHtml {
  if (result.skipped.length === 0) return html``;
  const rows = result.skipped.map((s) => [s.entity, formatKey(s.key), s.reason, s.code ?? '']);
  return html`<section>
    <h2>${ctx.t.skippedObjects}</h2>
    ${table([ctx.t.entity, ctx.t.key, ctx.t.reason, ctx.t.code], rows)}
  </section>`;
}
