// Boxes in input pixels (x1, y1, x2, y2), their overlap, and per-class greedy NMS.

export interface Detection {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

export function iou(a: Detection, b: Detection): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export interface NmsOptions {
  /** Boxes of one class overlapping a kept box by more than this are dropped. */
  iouThreshold: number;
  /** Keep at most this many boxes over all classes, highest scores first. */
  maxDetections: number;
}

/** Greedy NMS within each class; highest score first; ties keep the earlier candidate. */
export function nonMaxSuppression(candidates: Detection[], options: NmsOptions): Detection[] {
  const order = candidates.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const kept: Detection[] = [];
  for (const { d } of order) {
    if (kept.length >= options.maxDetections) break;
    if (kept.some((k) => k.classId === d.classId && iou(k, d) > options.iouThreshold)) continue;
    kept.push(d);
  }
  return kept;
}
