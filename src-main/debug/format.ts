// The debugger's report as a terminal table and as CSV (one row per layer).
import type { DebugReport, LayerDebugRow, TensorError } from './types';

const num = (x: number | undefined, digits = 1): string => (x === undefined ? '' : Number.isFinite(x) ? x.toFixed(digits) : x > 0 ? 'inf' : '-inf');
const pct = (x: number | undefined): string => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);

const COLUMNS: { title: string; value: (row: LayerDebugRow) => string }[] = [
  { title: 'node', value: (r) => r.node },
  { title: 'op', value: (r) => r.op },
  { title: 'dtype', value: (r) => r.dtype },
  { title: 'acc_sqnr_db', value: (r) => num(r.accumulated?.sqnrDb) },
  { title: 'iso_sqnr_db', value: (r) => num(r.isolated?.sqnrDb) },
  { title: 'iso_cosine', value: (r) => num(r.isolated?.cosine, 4) },
  { title: 'iso_max_abs', value: (r) => num(r.isolated?.maxAbsError, 4) },
  { title: 'iso_rmse_over_scale', value: (r) => num(r.isolated?.rmseOverScale, 3) },
  { title: 'acc_cosine', value: (r) => num(r.accumulated?.cosine, 4) },
  { title: 'acc_max_abs', value: (r) => num(r.accumulated?.maxAbsError, 4) },
  { title: 'acc_rmse_over_scale', value: (r) => num(r.accumulated?.rmseOverScale, 3) },
  { title: 'saturation', value: (r) => pct(r.isolated?.saturation) },
  { title: 'levels_used', value: (r) => pct(r.isolated?.levelsUsed) },
  { title: 'weight_sqnr_db', value: (r) => num(r.weights?.sqnrDb) },
  { title: 'weight_range_spread', value: (r) => num(r.weights?.rangeSpread) },
  { title: 'alone_quantized_db', value: (r) => num(r.sensitivity?.aloneQuantizedDb) },
  { title: 'alone_float_db', value: (r) => num(r.sensitivity?.aloneFloatDb) },
  { title: 'reason', value: (r) => r.reasons[0] ?? '' },
];

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function debugCsv(report: DebugReport): string {
  const lines = [COLUMNS.map((c) => c.title).join(',')];
  for (const row of report.layers) lines.push(COLUMNS.map((c) => csvCell(c.value(row))).join(','));
  return lines.join('\n') + '\n';
}

const short = (e: TensorError | undefined): string => (e ? `${num(e.sqnrDb)} dB` : '—');

/** The worst layers first (by the report's ranking), with the reason for each. */
export function debugTable(report: DebugReport, limit = 15): string {
  const rows = new Map(report.layers.map((r) => [r.node, r]));
  const lines = [
    `Per-layer error on ${report.samples} held-out samples of ${report.data} (${report.engineNote})`,
    `outputs: ${report.outputs.map((o) => `${o.name} ${num(o.sqnrDb)} dB`).join(', ')}`,
    '',
    'rank  node (op)                                   accumulated  isolated  sat.   levels  alone-q  alone-f',
  ];
  for (const [k, name] of report.ranking.slice(0, limit).entries()) {
    const r = rows.get(name)!;
    const label = `${r.node} (${r.op})`.slice(0, 42).padEnd(42);
    lines.push(
      `${String(k + 1).padStart(4)}  ${label}  ${short(r.accumulated).padStart(11)}  ${short(r.isolated).padStart(8)}  ${pct(r.isolated?.saturation).padStart(5)}  ${pct(r.isolated?.levelsUsed).padStart(6)}  ${num(r.sensitivity?.aloneQuantizedDb).padStart(7)}  ${num(r.sensitivity?.aloneFloatDb).padStart(7)}`,
    );
    if (r.reasons[0]) lines.push(`      why: ${r.reasons[0]}`);
  }
  if (report.ranking.length > limit) lines.push(`… ${report.ranking.length - limit} more layers (--json or --csv for all)`);
  lines.push(`timings${report.workers && report.workers > 1 ? ` (${report.workers} workers)` : ''}: ${Object.entries(report.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}
