// Clipping-range search on a tensor's histogram: percentile and MSE (int8 asymmetric grid).
// Both stay inside the observed [min, max] and always include 0 (TFLite needs 0 exactly).
import type { StreamingHistogram } from './histogram';

export interface Range {
  min: number;
  max: number;
}

function withZero(r: Range): Range {
  return { min: Math.min(r.min, 0), max: Math.max(r.max, 0) };
}

export function percentileRange(h: StreamingHistogram, observed: Range, percentile: number): Range {
  if (h.total === 0 || h.range === 0) return withZero(observed);
  const tail = (100 - percentile) / 100;
  const lo = Math.max(observed.min, h.quantile(tail));
  const hi = Math.min(observed.max, h.quantile(1 - tail));
  return withZero({ min: Math.min(lo, hi), max: Math.max(lo, hi) });
}

/** Expected squared error of quantizing the histogram's values to `levels` steps on [lo, hi]. */
export function quantizationMse(h: StreamingHistogram, lo: number, hi: number, levels = 255): number {
  const step = (hi - lo) / levels;
  if (!(step > 0)) return Infinity;
  const width = h.binWidth();
  let error = 0;
  for (let i = 0; i < h.binCount; i++) {
    const n = h.bins[i]!;
    if (n === 0) continue;
    const x = h.edge(i) + width / 2;
    const clipped = x < lo ? lo : x > hi ? hi : x;
    const q = lo + Math.round((clipped - lo) / step) * step;
    error += n * (x - q) ** 2;
  }
  return error / h.total;
}

/** Shrinks [min, max] towards 0 in 1% steps (down to 20%) and keeps the lowest-MSE range. */
export function mseRange(h: StreamingHistogram, observed: Range, levels = 255): Range {
  const full = withZero(observed);
  if (h.total === 0 || h.range === 0 || full.max === full.min) return full;
  let best = full;
  let bestError = quantizationMse(h, full.min, full.max, levels);
  for (let k = 99; k >= 20; k--) {
    const f = k / 100;
    const candidate = { min: full.min * f, max: full.max * f };
    const error = quantizationMse(h, candidate.min, candidate.max, levels);
    if (error < bestError) [best, bestError] = [candidate, error];
  }
  return best;
}
