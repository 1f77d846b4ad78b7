// The Pareto set of measured candidates: none other is at least as small, as fast and as
// accurate while strictly better in one of them.
export interface ParetoPoint {
  bytes: number;
  latencyMs: number;
  /** Higher is better (the budget's first metric, in its own unit). */
  quality: number;
}

function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const noWorse = a.bytes <= b.bytes && a.latencyMs <= b.latencyMs && a.quality >= b.quality;
  const better = a.bytes < b.bytes || a.latencyMs < b.latencyMs || a.quality > b.quality;
  return noWorse && better;
}

export function paretoSet<T extends ParetoPoint>(points: readonly T[]): T[] {
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p)));
}
