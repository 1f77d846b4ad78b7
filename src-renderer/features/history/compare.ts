// The comparison table: one row per fact, one column per run; numeric rows carry the change
// against the first run so differences stand out (the page marks cells that differ).
import type { RunRecord } from '../../../src-main/projects/types';
import { ms } from '../projects/format';
import { fileSize } from '../../lib/file-size';
import { formatMetric, METRICS, metricName } from '../runs/metric-names';

export interface CompareRow {
  name: string;
  value: (r: RunRecord) => string;
  /** For numeric rows: the number, and whether higher is better (for the delta's colour). */
  number?: (r: RunRecord) => number | null;
  higherIsBetter?: boolean;
  delta?: (d: number) => string;
}

const signed = (text: string, d: number) => (d > 0 ? `+${text}` : text);
const metricRow = (key: string, deltaText: (d: number) => string): CompareRow => ({
  name: metricName(key),
  value: (r) => formatMetric(key, r.metrics[key]),
  number: (r) => (typeof r.metrics[key] === 'number' ? r.metrics[key] : null),
  ...(METRICS[key]?.higherIsBetter !== undefined ? { higherIsBetter: METRICS[key]!.higherIsBetter } : {}),
  delta: (d) => signed(deltaText(d), d),
});

export const COMPARE_ROWS: CompareRow[] = [
  { name: 'Status', value: (r) => r.status },
  { name: 'Mode', value: (r) => r.config.request?.quantize.mode ?? r.config.kind },
  { name: 'I/O types', value: (r) => `${r.config.request?.quantize.inputType ?? '–'} / ${r.config.request?.quantize.outputType ?? '–'}` },
  // Runs record the rounding they used; runs recorded before gptq existed rounded to nearest.
  { name: 'Weight rounding', value: (r) => (r.config.request && r.config.request.quantize.mode !== 'none' ? (r.config.request.quantize.weightRounding ?? 'nearest') : '–') },
  // Bias correction was off unless asked before it became a choice of the run's record.
  { name: 'Bias correction', value: (r) => (r.config.request && r.config.request.quantize.mode !== 'none' ? (r.config.request.quantize.biasCorrection ? 'on' : 'off') : '–') },
  { name: 'Kept float', value: (r) => r.config.request?.quantize.keepFloat?.join(', ') || '–' },
  { name: 'Unrolled RNN', value: (r) => (r.config.request?.unrollRnn ? 'yes' : 'no') },
  { name: 'Preprocessing', value: (r) => r.config.request?.quantize.calibration?.preprocess ?? '–' },
  { name: 'Calibration', value: (r) => (r.inputs.calibration ? `${r.inputs.calibration.files} files, sha256 ${r.inputs.calibration.sha256.slice(0, 12)}…` : '–') },
  { name: 'Validated on', value: (r) => (r.validation ? `${r.validation.samples} ${r.validation.heldOut ? 'held-out' : ''} samples${r.validation.labelled ? ', labelled' : ''}` : '–') },
  { name: 'Model sha256', value: (r) => (r.inputs.model ? `${r.inputs.model.sha256.slice(0, 12)}…` : '–') },
  metricRow('sizeBytes', (d) => fileSize(d)),
  metricRow('compression', (d) => `${d.toFixed(2)}×`),
  metricRow('accuracy', (d) => `${(d * 100).toFixed(1)} pts`),
  metricRow('floatAccuracy', (d) => `${(d * 100).toFixed(1)} pts`),
  metricRow('agreement', (d) => `${(d * 100).toFixed(1)} pts`),
  metricRow('sqnrDb', (d) => `${d.toFixed(1)} dB`),
  // Detector runs: boxes against the float model's, and against labels.
  metricRow('map50', (d) => d.toFixed(3)),
  metricRow('map5095', (d) => d.toFixed(3)),
  metricRow('labelMap50', (d) => d.toFixed(3)),
  metricRow('latencyMs', (d) => ms(d)),
  { name: 'Verdict', value: (r) => r.verdict?.level ?? '–' },
  { name: 'Devices (p50)', value: (r) => r.deviceResults.map((d) => `${d.device}: ${ms(d.latencyMs?.p50)}`).join(', ') || '–' },
  { name: 'Duration', value: (r) => (r.durationMs !== undefined ? `${(r.durationMs / 1000).toFixed(1)} s` : '–') },
  { name: 'Tool', value: (r) => `${r.tool.name} ${r.tool.version}` },
];

export interface CompareCell {
  text: string;
  /** Differs from the first run's value. */
  differs: boolean;
  /** "+1.2 dB" against the first run, for numeric rows. */
  delta: string | null;
  better: boolean | null;
}

export function compareCells(row: CompareRow, runs: RunRecord[]): CompareCell[] {
  const first = runs[0];
  return runs.map((r, i) => {
    const text = row.value(r);
    const differs = i > 0 && !!first && text !== row.value(first);
    const a = first && row.number ? row.number(first) : null;
    const b = row.number ? row.number(r) : null;
    const d = i > 0 && a !== null && b !== null && b !== a ? b - a : null;
    return { text, differs, delta: d !== null && row.delta ? row.delta(d) : null, better: d !== null && row.higherIsBetter !== undefined ? d > 0 === row.higherIsBetter : null };
  });
}

