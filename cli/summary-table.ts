import type { SyncResult } from '../src/index';

const COLUMNS = ['inserted', 'updated', 'deleted', 'm2m', 'skipped', 'conflicts'] as const;

/** A plain-text table of a sync result's counts per entity, with totals. */
export function summaryTable(result: SyncResult): string {
  const conflicts = new Map<string, number>();
  for (const c of result.conflicts) conflicts.set(c.entity, (conflicts.get(c.entity) ?? 0) + 1);
  const rows = Object.entries(result.counts).map(([entity, counts]) => [
    entity,
    ...COLUMNS.map((col) => String(col === 'conflicts' ? (conflicts.get(entity) ?? 0) : counts[col])),
  ]);
  if (rows.length === 0) return '';
  const totals = [
    'total',
    ...COLUMNS.map((_, i) => String(rows.reduce((sum, r) => sum + Number(r[i + 1]), 0))),
  ];
  return renderTable(['entity', ...COLUMNS], [...rows, totals]);
}

/** Renders rows as aligned columns: the first left-aligned, numbers right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
