import type { CaptureResult } from './capture-bench';
import type { MemoryResult } from './memory-bench';
import type { ScaleResult } from './scale-bench';
import type { ThroughputResult } from './throughput-bench';
import { round } from './timing';

/** Everything one run measured (the shape of bench/results.json). */
export interface BenchResults {
  capture: Record<string, CaptureResult>;
  sync: Record<string, ThroughputResult>;
  scale: ScaleResult['scale'] | Record<string, never>;
  memory: MemoryResult | Record<string, never>;
  idle: ScaleResult['idle'] | Record<string, never>;
  targets: TargetCheck[];
  meta: Record<string, unknown>;
}

/** One target and whether the run met it. */
export interface TargetCheck {
  figure: string;
  value: number;
  target: string;
  met: boolean;
}

const TARGETS: [string, (r: BenchResults) => [string, number | undefined][], '<=' | '>=', number][] = [
  ['capture.*.single_save', (r) => perKey(r.capture, (c) => c.single_save), '<=', 1.5],
  ['capture.*.bulk_save', (r) => perKey(r.capture, (c) => c.bulk_save), '<=', 1.2],
  ['capture.*.bulk_update', (r) => perKey(r.capture, (c) => c.bulk_update), '<=', 2.0],
  ['sync.*.vs_raw_floor', (r) => perKey(r.sync, (s) => s.vs_raw_floor), '<=', 3],
  ['sync.*.vs_naive', (r) => perKey(r.sync, (s) => s.vs_naive), '>=', 20],
  [
    'scale.table_size_ratio',
    (r) => [['scale.table_size_ratio', (r.scale as ScaleResult['scale']).table_size_ratio]],
    '<=',
    1.5,
  ],
  [
    'scale.log_size_ratio',
    (r) => [['scale.log_size_ratio', (r.scale as ScaleResult['scale']).log_size_ratio]],
    '<=',
    1.5,
  ],
  ['memory.rss_ratio', (r) => [['memory.rss_ratio', (r.memory as MemoryResult).rss_ratio]], '<=', 2],
  ['idle.idle_ratio', (r) => [['idle.idle_ratio', (r.idle as ScaleResult['idle']).idle_ratio]], '<=', 2],
];

function perKey<T>(record: Record<string, T>, pick: (value: T) => number): [string, number][] {
  return Object.entries(record).map(([key, value]) => [key, pick(value)]);
}

/** Checks every measured figure against the targets. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const [name, pick, op, limit] of TARGETS) {
    for (const [key, value] of pick(results)) {
      if (value === undefined || !Number.isFinite(value)) continue;
      const figure = name.includes('*') ? name.replace('*', key) : key;
      out.push({
        figure,
        value,
        target: `${op} ${limit}`,
        met: op === '<=' ? value <= limit : value >= limit,
      });
    }
  }
  return out;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** The run's figures as Markdown tables (printed, and pasted into docs/performance.md). */
export function renderTables(r: BenchResults): string {
  const capture = table(
    ['database', 'single_save', 'bulk_save', 'bulk_update', 'ms with / without (single, bulk, update)'],
    Object.entries(r.capture).map(([db, c]) => [
      db,
      c.single_save,
      c.bulk_save,
      c.bulk_update,
      `${c.ms.single_save.with}/${c.ms.single_save.without}, ${c.ms.bulk_save.with}/${c.ms.bulk_save.without}, ${c.ms.bulk_update.with}/${c.ms.bulk_update.without}`,
    ]),
  );
  const sync = table(
    [
      'pair',
      'objects',
      'objects/s',
      'vs_raw_floor',
      'vs_naive',
      'listeners objects/s',
      'listeners vs floor',
      'floor ms',
      'naive obj/s',
      'vs floor per round',
      'load',
    ],
    Object.entries(r.sync).map(([pair, s]) => [
      pair,
      s.objects,
      s.objects_per_s,
      s.vs_raw_floor,
      s.vs_naive,
      s.listeners_objects_per_s,
      s.listeners_vs_raw_floor,
      s.raw_floor_ms,
      s.naive_objects_per_s,
      s.sync_ms_runs.map((ms, i) => round(ms / (s.raw_floor_ms_runs[i] ?? Number.NaN))).join(', '),
      s.loadavg_1m,
    ]),
  );
  const targets = table(
    ['figure', 'value', 'target', 'met'],
    r.targets.map((t) => [t.figure, t.value, t.target, t.met ? 'yes' : 'NO']),
  );
  return [
    `### Capture overhead (with / without the subscriber)\n\n${capture}${triggerReference(r)}`,
    `### Sync throughput\n\n${sync}${growthReference(r)}`,
    `### Scale, memory, idle\n\n${otherTable(r)}`,
    `### Targets\n\n${targets}`,
  ].join('\n\n');
}

/** How the engine's cost grows with the number of changes (no target), where the run measured it. */
function growthReference(r: BenchResults): string {
  const measured = Object.entries(r.sync).filter(([, s]) => s.growth_ratio !== undefined);
  if (measured.length === 0) return '';
  const objects = measured[0]?.[1].growth_objects ?? 0;
  const figures = measured.map(([pair, s]) => `${pair} ${s.growth_ratio} (${s.growth_sync_ms} ms)`);
  return `\n\nReference, no target: time per object of one engine run on ${objects} objects over the rounds' median time per object (about 1 when the cost grows with the number of changes alone): ${figures.join(', ')}.`;
}

/** The `bulk_update` trigger reference (no target), where the run measured it. */
function triggerReference(r: BenchResults): string {
  const measured = Object.entries(r.capture).filter(([, c]) => c.bulk_update_trigger !== undefined);
  if (measured.length === 0) return '';
  const figures = measured.map(
    ([db, c]) =>
      `${db} ${c.bulk_update_trigger} (${c.bulk_update_trigger_ms}/${c.ms.bulk_update.without} ms)`,
  );
  return `\n\nReference, no target: \`bulk_update\` with the same log rows written by an AFTER UPDATE trigger instead of the subscriber, against the same runs without: ${figures.join(', ')}.`;
}

function otherTable(r: BenchResults): string {
  const s = r.scale as ScaleResult['scale'];
  const m = r.memory as MemoryResult;
  const i = r.idle as ScaleResult['idle'];
  const rows: (string | number)[][] = [];
  if (s.pair !== undefined) {
    rows.push([
      'scale.table_size_ratio',
      s.table_size_ratio,
      `${s.changes} changes, ${s.pair}: ${s.small_table_rows} rows ${s.small_table_ms} ms vs ${s.big_table_rows} rows ${s.big_table_ms} ms (median of ${s.runs})`,
    ]);
    rows.push([
      'scale.log_size_ratio',
      s.log_size_ratio,
      `${s.changes} changes: empty log ${s.small_table_ms} ms vs ${s.delivered_log_rows} delivered rows ${s.delivered_log_ms} ms`,
    ]);
  }
  if (m.pair !== undefined) rows.push(...memoryRows(m));
  if (i.pair !== undefined)
    rows.push([
      'idle.idle_ratio',
      i.idle_ratio,
      `${i.pair}: empty log ${i.empty_log_ms} ms vs ${i.delivered_log_rows} delivered rows ${i.delivered_log_ms} ms (median of ${i.runs})`,
    ]);
  return table(['figure', 'ratio', 'measured'], rows);
}

function memoryRows(m: MemoryResult): (string | number)[][] {
  const above = (changes: number, mb: number, heap: number) =>
    `${changes} changes +${mb} MB (V8 heap +${heap})`;
  const small = above(m.small_changes, m.small_above_idle_mb, m.small_heap_growth_mb);
  const middle = above(m.middle_changes, m.middle_above_idle_mb, m.middle_heap_growth_mb);
  const large = above(m.large_changes, m.large_above_idle_mb, m.large_heap_growth_mb);
  return [
    ['memory.rss_ratio', m.rss_ratio, `${m.pair}: ${small} vs ${large} above idle`],
    ['memory.large_vs_middle_ratio (no target)', m.large_vs_middle_ratio, `${m.pair}: ${middle} vs ${large}`],
  ];
}
