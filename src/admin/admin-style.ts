/** The admin page's stylesheet, served as a file so that the CSP needs no `'unsafe-inline'`. */
export const ADMIN_CSS = `
:root { color-scheme: light; --fg: #1d2430; --muted: #5b6575; --line: #d9dee6; --bg: #f5f7fa; --card: #fff;
  --accent: #1f5fbf; --danger: #b42318; --ok: #1a7f37; --warn: #9a6700; --info: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 960px; margin: 24px auto; padding: 24px 32px; background: var(--card);
  border: 1px solid var(--line); border-radius: 8px; }
h1 { margin: 0 0 16px; font-size: 1.6rem; }
h2 { margin: 24px 0 8px; font-size: 1.15rem; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 8px 0 16px; }
form.inline { display: inline-flex; align-items: center; gap: 8px; margin: 0; }
.button { display: inline-block; padding: 8px 16px; border: 1px solid var(--line); border-radius: 6px;
  background: #fff; color: var(--fg); font: inherit; text-decoration: none; cursor: pointer; }
.button:hover { border-color: var(--accent); }
.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.button.danger { color: var(--danger); border-color: var(--danger); }
.button[disabled] { opacity: .45; cursor: not-allowed; }
.notice { padding: 10px 14px; border-radius: 6px; border-left: 4px solid; margin: 8px 0 16px; background: #f7f9fc; }
.notice p { margin: 4px 0; }
.notice.success { border-color: var(--ok); background: #eef8f0; }
.notice.error { border-color: var(--danger); background: #fdf0ef; }
.notice.warning { border-color: var(--warn); background: #fff8e6; }
.notice.info { border-color: var(--info); background: #eef4fc; }
.meta { color: var(--muted); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #e6eefb; color: var(--accent); font-size: .85em; }
.state.done { color: var(--ok); }
.state.failed { color: var(--danger); }
.state.running { color: var(--info); }
progress { width: 100%; height: 14px; }
pre.stack { white-space: pre-wrap; font-size: .8em; background: #fff; padding: 8px; border: 1px solid var(--line); }
`;
