import type { SyncStatus } from '../sync/sync-status';
import { failureBlock, formatTime } from './admin-format';
import { layout, postButton, table, type PageContext } from './admin-layout';
import { html, type SafeHtml } from './html';
import type { RunFailure, RunRecord } from './run-registry';

/** A one-time notice named in the query string after a redirect (never free text). */
export type DashboardNotice = 'reset';

/** A value read for the page, or why it could not be read (shown in its place). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; failure: RunFailure };

/** Everything the main admin page shows. */
export interface DashboardView {
  /** A label for the configured remote, or `null` when there is none. */
  remoteLabel: string | null;
  status: Loaded<SyncStatus>;
  pending: Loaded<Record<string, number>>;
  allowReset: boolean;
  notice: DashboardNotice | undefined;
  runs: readonly RunRecord[];
  /** The run going on now, if any. */
  running: RunRecord | undefined;
}

/**
 * The main admin page: status per remote, clock skew, pending changes per entity, the buttons and
 * the recent runs.
 *
 * @example
 * ```ts
 * send(res, 200, dashboardPage(ctx, view))
 * ```
 */
export function dashboardPage(ctx: PageContext, view: DashboardView): SafeHtml {
  return layout(ctx, {
    title: ctx.t.title,
    body: html`${noticeOf(ctx, view.notice)} ${runningNotice(ctx, view.running)}
      ${view.remoteLabel === null ? html`<p class="notice warning" role="status">${ctx.t.noRemote}</p>` : ''}
      ${actions(ctx, view)}
      <section>
        <h2>${ctx.t.status}</h2>
        ${statusSection(ctx, view)}
      </section>
      <section>
        <h2>${ctx.t.pendingChanges}</h2>
        ${pendingSection(ctx, view.pending)}
      </section>
      ${recentRuns(ctx, view.runs)}`,
  });
}

function noticeOf(ctx: PageContext, notice: DashboardNotice | undefined): SafeHtml {
  if (notice === 'reset') return html`<p class="notice success" role="status">${ctx.t.resetDone}</p>`;
  return html``;
}

function runningNotice(ctx: PageContext, run: RunRecord | undefined): SafeHtml {
  if (run === undefined) return html``;
  return html`<p class="notice info" role="status">
    ${ctx.t.alreadyRunning} <a href="${ctx.basePath}/runs/${run.id}">${ctx.t.runKind[run.kind]}</a>
  </p>`;
}

function actions(ctx: PageContext, view: DashboardView): SafeHtml {
  const disabled = view.remoteLabel === null;
  return html`<div class="actions">
    ${postButton(ctx, '/preview', ctx.t.preview, { disabled })}
    ${postButton(ctx, '/sync', ctx.t.synchronize, { variant: 'primary', disabled })}
    ${view.allowReset ? resetLink(ctx, disabled) : ''}
  </div>`;
}

function resetLink(ctx: PageContext, disabled: boolean): SafeHtml {
  if (disabled) return html`<button type="button" class="button danger" disabled>${ctx.t.reset}</button>`;
  return html`<a class="button danger" href="${ctx.basePath}/reset">${ctx.t.reset}</a>`;
}

function statusSection(ctx: PageContext, view: DashboardView): SafeHtml {
  if (!view.status.ok) return failureBlock(ctx, view.status.failure);
  const status = view.status.value;
  return html`<dl>
      <dt>${ctx.t.thisNode}</dt>
      <dd><code>${status.nodeId ?? ctx.t.notAssigned}</code></dd>
      ${
        view.remoteLabel === null
          ? ''
          : html`<dt>${ctx.t.remote}</dt>
              <dd>${view.remoteLabel}</dd>`
      }
      ${
        status.clockSkewMs === undefined
          ? ''
          : html`<dt>${ctx.t.clockSkew}</dt>
              <dd>${ctx.t.clockSkewValue(status.clockSkewMs)}</dd>`
      }
    </dl>
    ${peersTable(ctx, status)}`;
}

function peersTable(ctx: PageContext, status: SyncStatus): SafeHtml {
  if (status.peers.length === 0) return html`<p>${ctx.t.noPeers}</p>`;
  const rows = status.peers.map((peer) => [
    peer.peer === status.remoteNodeId
      ? html`<code>${peer.peer}</code> <span class="tag">${ctx.t.thisRemote}</span>`
      : html`<code>${peer.peer}</code>`,
    peer.at === null ? ctx.t.never : formatTime(peer.at),
    peer.deliveredLogId,
  ]);
  return table([ctx.t.peer, ctx.t.lastSync, ctx.t.deliveredLogId], rows);
}

function pendingSection(ctx: PageContext, pending: Loaded<Record<string, number>>): SafeHtml {
  if (!pending.ok) return failureBlock(ctx, pending.failure);
  const entries = Object.entries(pending.value).filter(([, count]) => count > 0);
  if (entries.length === 0) return html`<p>${ctx.t.noPending}</p>`;
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const rows = [
    ...entries.map(([entity, count]) => [entity, count]),
    [html`<strong>${ctx.t.total}</strong>`, html`<strong>${total}</strong>`],
  ];
  return table([ctx.t.entity, ctx.t.count], rows);
}

function recentRuns(ctx: PageContext, runs: readonly RunRecord[]): SafeHtml {
  if (runs.length === 0) return html``;
  const rows = runs.map((run) => [
    html`<a href="${ctx.basePath}/runs/${run.id}">${ctx.t.runKind[run.kind]}</a>`,
    html`<span class="state ${run.state}">${ctx.t.runState[run.state]}</span>`,
    formatTime(run.startedAt),
  ]);
  return html`<section>
    <h2>${ctx.t.recentRuns}</h2>
    ${table([ctx.t.run, ctx.t.status, ctx.t.started], rows)}
  </section>`;
}
