// The Search form's choices in the user's words: budget metrics (what each measures, its unit,
// a sensible threshold) and candidates (what each is, whether it is tried by default).
import type { CandidateKind } from '../../../src-main/search/candidates';

export type BudgetMetric = 'sqnr' | 'agreement' | 'accuracy-drop';

export interface MetricOption {
  metric: BudgetMetric;
  title: string;
  /** '>=' or '<=' as the budget grammar wants it. */
  op: '>=' | '<=';
  unit: 'dB' | '%';
  defaultThreshold: number;
  explain: string;
}

export const METRICS: readonly MetricOption[] = [
  {
    metric: 'sqnr', title: 'SQNR against float', op: '>=', unit: 'dB', defaultThreshold: 30,
    explain: 'Signal-to-quantization-noise ratio of the outputs against the float model, on the held-out data. 30 dB means the error is about 3% of the signal; every 6 dB halves it. Works for any model.',
  },
  {
    metric: 'agreement', title: 'Top-1 agreement with float', op: '>=', unit: '%', defaultThreshold: 99,
    explain: 'Share of held-out samples where the quantized model picks the same class as the float model. Classifiers only; needs no labels.',
  },
  {
    metric: 'accuracy-drop', title: 'Accuracy drop', op: '<=', unit: '%', defaultThreshold: 1,
    explain: 'Label accuracy the quantized model loses against the float model (float 98.0%, quantized 97.2% is a 0.8% drop). Needs labels for the held-out data.',
  },
];

/** The budget expression the search understands, e.g. `sqnr>=30`, `sqnr[scores]>=25`, `agreement>=99%`. */
export function budgetText(metric: BudgetMetric, threshold: number, output = ''): string {
  const m = METRICS.find((x) => x.metric === metric)!;
  const scoped = metric === 'sqnr' && output.trim() ? `sqnr[${output.trim()}]` : metric;
  return `${scoped}${m.op}${threshold}${m.unit === '%' ? '%' : ''}`;
}

export interface CandidateOption {
  kind: CandidateKind;
  title: string;
  explain: string;
  byDefault: boolean;
}

export const CANDIDATES: readonly CandidateOption[] = [
  { kind: 'fp16', title: 'FP16 weights', explain: 'half the float size, nearly float accuracy', byDefault: true },
  { kind: 'dynamic', title: 'INT8 dynamic range', explain: 'int8 weights, float activations; no calibration', byDefault: true },
  { kind: 'int8', title: 'INT8 full integer', explain: 'smallest and fastest on int8 hardware', byDefault: true },
  { kind: 'int8-gptq', title: 'INT8, GPTQ rounding', explain: 'weights rounded to keep outputs closer; several times slower to make', byDefault: false },
  { kind: 'int16x8', title: 'INT16 activations × INT8 weights', explain: 'more precise activations, int8 weights', byDefault: true },
  { kind: 'int8-mixed', title: 'INT8 with the worst layers float', explain: 'when no int8 file meets the budget: keeps the k most harmful layers float, k growing until it does', byDefault: true },
];
