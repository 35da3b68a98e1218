/** The bench's one table: measurement, median, min–max, target. */
import type { Stat } from './stats';

export interface Row {
  label: string;
  /** 0 for a row, 1 for a sub-row of the row above (indented). */
  depth: number;
  median: string;
  range: string;
  target: string;
}

export interface Target {
  text: string;
  ok: boolean;
}

export type Format = (value: number) => string;

export const seconds: Format = (ms) => `${(ms / 1000).toFixed(2)} s`;
export const millis: Format = (ms) => `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
export const perSecond: Format = (rps) => `${Math.round(rps).toLocaleString('en-US')} req/s`;
export const percent: Format = (ratio) => `${(ratio * 100).toFixed(0)} %`;
export const times: Format = (ratio) => `${ratio.toFixed(2)}×`;
export const mebibytes: Format = (bytes) => `${(bytes / 1048576).toFixed(0)} MiB`;

export function verdict(target: Target | undefined): string {
  return target ? `${target.text}: ${target.ok ? 'met' : 'MISSED'}` : '';
}

export function statRow(label: string, stat: Stat, format: Format, options: { depth?: number; target?: Target } = {}): Row {
  return { label, depth: options.depth ?? 0, median: format(stat.median), range: range(format(stat.min), format(stat.max)), target: verdict(options.target) };
}

/** `3.30 – 3.62 s` rather than `3.30 s – 3.62 s` when both ends share their unit. */
function range(min: string, max: string): string {
  const unit = / [^ \d]+$/.exec(max)?.[0];
  return unit && min.endsWith(unit) ? `${min.slice(0, -unit.length)} – ${max}` : `${min} – ${max}`;
}

/** A figure computed from medians of other rows (a ratio): it has no range of its own. */
export function derivedRow(label: string, value: string, options: { depth?: number; target?: Target; of?: string } = {}): Row {
  return { label, depth: options.depth ?? 0, median: value, range: options.of ?? '(ratio of medians)', target: verdict(options.target) };
}

export function noteRow(label: string, note: string, depth = 0): Row {
  return { label, depth, median: note, range: '', target: '' };
}

export function renderTable(rows: Row[]): string {
  const labels = rows.map((r) => `${'    '.repeat(r.depth)}${r.depth ? '└ ' : ''}${r.label}`);
  const header = ['measurement', 'median', 'min – max', 'target'];
  const width = (i: number, cells: string[]) => Math.max(header[i]!.length, ...cells.map((c) => c.length));
  const widths = [width(0, labels), width(1, rows.map((r) => r.median)), width(2, rows.map((r) => r.range))];
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...rows.map((r, i) => line([labels[i]!, r.median, r.range, r.target]))].join('\n');
}
