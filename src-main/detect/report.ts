// The human table for a detector evaluation: mAP of the quantized model against the float
// detections (and against labels), matched IoU, missed/extra, and the per-class AP.
import { formatReport } from '../evaluate/index';
import type { DetectionMetrics } from './ap';
import type { DetectionEvaluationReport } from './evaluate-detect';

const fig = (x: number | null) => (x === null ? '-' : x.toFixed(3));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

const row = (what: string, m: DetectionMetrics) => [what, fig(m.map50), fig(m.map5095), fig(m.meanIou), `${m.detections}`, `${m.truths}`, `${m.missed}`, `${m.extra}`];

export function formatDetectionReport(r: DetectionEvaluationReport): string {
  const d = r.detection;
  const lines = [formatReport(r).trimEnd(), ''];
  const units = d.boxScale ? `, boxes in ${d.boxScale === 'normalized' ? '0..1 of the input' : 'pixels'}` : '';
  lines.push(`Detector: ${d.decoder} head, ${d.inputWidth}×${d.inputHeight} input${units}; score ≥ ${d.scoreThreshold}, NMS IoU ${d.iouThreshold}, at most ${d.maxDetections} boxes`);
  const rows = [['judged', 'mAP@0.5', 'mAP@0.5:0.95', 'mean IoU', 'boxes', 'truth boxes', 'missed', 'extra'], row('quantized vs float', d.quantVsFloat)];
  if (d.floatVsLabels) rows.push(row('float vs labels', d.floatVsLabels));
  if (d.quantVsLabels) rows.push(row('quantized vs labels', d.quantVsLabels));
  lines.push(table(rows));
  const name = (c: number) => d.classNames?.[c] ?? `class ${c}`;
  const perClass = d.quantVsFloat.perClass.filter((c) => c.ap50 !== null);
  if (perClass.length) {
    lines.push('', 'Per class, quantized vs float:');
    lines.push(table([['class', 'AP@0.5', 'AP@0.5:0.95', 'float boxes', 'quant boxes'], ...perClass.map((c) => [name(c.classId), fig(c.ap50), fig(c.ap5095), `${c.truths}`, `${c.detections}`])]));
  }
  if (d.quantVsFloat.truths === 0) lines.push('', 'The float model found no boxes above the score threshold: lower --score or check --decoder.');
  return lines.join('\n') + '\n';
}
