// Latency summary and output agreement: the numbers a bench reports.

export interface LatencySummary {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function summarizeLatencies(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length);
  return {
    min: round(sorted[0] ?? NaN),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** One SQNR definition for evaluation and board comparisons. */
export { sqnrDb } from '../evaluate/metrics';

/** Fraction of samples whose arg-max agrees; data holds `samples` rows of equal length. */
export function top1Agreement(reference: ArrayLike<number>, test: ArrayLike<number>, samples: number): number {
  const width = reference.length / samples;
  let same = 0;
  for (let s = 0; s < samples; s++) {
    if (argmax(reference, s * width, width) === argmax(test, s * width, width)) same++;
  }
  return same / samples;
}

function argmax(data: ArrayLike<number>, start: number, width: number): number {
  let best = 0;
  for (let i = 1; i < width; i++) if (data[start + i]! > data[start + best]!) best = i;
  return best;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
