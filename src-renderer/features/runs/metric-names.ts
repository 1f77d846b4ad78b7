// Human names for the run metrics (the record keeps short keys), and the one rule for what the
// "score" of a run is: label accuracy when labels were given, else top-1 agreement with float.
import type { RunMetrics } from '../../../src-main/projects/types';
import { db, ms, pct } from '../projects/format';
import { fileSize } from '../../lib/file-size';

interface MetricInfo {
  name: string;
  format: (x: number | null | undefined) => string;
  /** Higher is better (for deltas); undefined when neither. */
  higherIsBetter?: boolean;
}

const ratio = (x: number | null | undefined) => (typeof x === 'number' ? `${x.toFixed(2)}×` : '–');
const plain = (x: number | null | undefined) => (typeof x === 'number' ? x.toLocaleString() : '–');
const fixed3 = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(3) : '–');

export const METRICS: Record<string, MetricInfo> = {
  accuracy: { name: 'Accuracy (labels)', format: pct, higherIsBetter: true },
  floatAccuracy: { name: 'Float model accuracy (labels)', format: pct, higherIsBetter: true },
  agreement: { name: 'Top-1 agreement with float', format: pct, higherIsBetter: true },
  sqnrDb: { name: 'SQNR against float (dB)', format: db, higherIsBetter: true },
  cosine: { name: 'Cosine similarity to float', format: (x) => (typeof x === 'number' ? x.toFixed(5) : '–'), higherIsBetter: true },
  sizeBytes: { name: 'Size of the .tflite', format: fileSize, higherIsBetter: false },
  floatTfliteBytes: { name: 'Size as a float .tflite', format: fileSize },
  floatBytes: { name: 'Float .tflite used in validation', format: fileSize },
  sourceBytes: { name: 'Size of the source files', format: fileSize },
  compression: { name: 'Times smaller than the float .tflite', format: ratio, higherIsBetter: true },
  sizeRatio: { name: 'Size as a share of float', format: pct, higherIsBetter: false },
  latencyMs: { name: 'Local latency, quantized (ms)', format: ms, higherIsBetter: false },
  floatLatencyMs: { name: 'Local latency, float (ms)', format: ms, higherIsBetter: false },
  evalSamples: { name: 'Validation samples', format: plain },
  // Detector runs (src-main/detect/run-record.ts): boxes of the quantized model against the float model's, or labels.
  map50: { name: 'mAP@0.5 vs float boxes', format: fixed3, higherIsBetter: true },
  map5095: { name: 'mAP@0.5:0.95 vs float boxes', format: fixed3, higherIsBetter: true },
  meanIou: { name: 'Mean IoU of matched boxes', format: fixed3, higherIsBetter: true },
  missedBoxes: { name: 'Float boxes missed by quantized', format: plain, higherIsBetter: false },
  extraBoxes: { name: 'Extra quantized boxes', format: plain, higherIsBetter: false },
  labelMap50: { name: 'mAP@0.5 on labels', format: fixed3, higherIsBetter: true },
  labelMap5095: { name: 'mAP@0.5:0.95 on labels', format: fixed3, higherIsBetter: true },
  floatLabelMap50: { name: 'Float model mAP@0.5 on labels', format: fixed3, higherIsBetter: true },
};

export const metricName = (key: string) => METRICS[key]?.name ?? key;
export const formatMetric = (key: string, value: number | null | undefined) => (METRICS[key]?.format ?? plain)(value);

/** The run's headline score: accuracy with labels, else agreement with float; a detector's mAP@0.5 against the float boxes. */
export function score(metrics: RunMetrics): { kind: ScoreKind; value: number } | null {
  if (typeof metrics['accuracy'] === 'number') return { kind: 'accuracy', value: metrics['accuracy'] };
  if (typeof metrics['agreement'] === 'number') return { kind: 'agreement', value: metrics['agreement'] };
  if (typeof metrics['map50'] === 'number') return { kind: 'map', value: metrics['map50'] };
  return null;
}

export const SCORE_NAMES = { accuracy: 'Accuracy', agreement: 'Top-1 agreement with float', map: 'mAP@0.5 vs float boxes' } as const;
export type ScoreKind = keyof typeof SCORE_NAMES;
/** A name inside a sentence: only its first letter lowered ("mAP" stays "mAP"). */
export const inSentence = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
