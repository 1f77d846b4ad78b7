// Pareto front of runs: smaller size, lower latency and higher accuracy are better. A run is
// on the front when no other run is at least as good on all three and better on one.
export interface ParetoPoint {
  id: string;
  size: number;
  latency: number;
  accuracy: number;
}

const dominates = (a: ParetoPoint, b: ParetoPoint) =>
  a.size <= b.size && a.latency <= b.latency && a.accuracy >= b.accuracy && (a.size < b.size || a.latency < b.latency || a.accuracy > b.accuracy);

export function paretoFront(points: ParetoPoint[]): ParetoPoint[] {
  return points.filter((p) => !points.some((q) => q !== p && dominates(q, p))).sort((a, b) => a.size - b.size);
}
