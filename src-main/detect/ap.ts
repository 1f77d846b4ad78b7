// COCO-style detection metrics: per class, detections sorted by score are matched greedily to
// the best-overlapping unmatched truth box of the same image; AP is the 101-point interpolated
// area under the precision/recall curve; mAP averages over classes that have truth boxes.
import { iou, type Detection } from './boxes';

export interface ImageBoxes {
  /** Detections to judge (scores used for ranking). */
  predicted: Detection[];
  /** Truth boxes (float model's detections or labels); their scores are ignored. */
  truth: Detection[];
}

export interface ClassAp {
  classId: number;
  truths: number;
  detections: number;
  /** null when the class has no truth boxes (it only adds extra detections). */
  ap50: number | null;
  ap5095: number | null;
}

export interface DetectionMetrics {
  images: number;
  truths: number;
  detections: number;
  /** null when no image has a truth box: there is nothing to average. */
  map50: number | null;
  map5095: number | null;
  perClass: ClassAp[];
  /** At IoU 0.5: matched pairs, their mean IoU, truths nobody found, detections matching nothing. */
  matched: number;
  meanIou: number | null;
  missed: number;
  extra: number;
}

export const COCO_THRESHOLDS = Array.from({ length: 10 }, (_, k) => 0.5 + 0.05 * k);

interface Match {
  score: number;
  /** IoU with the matched truth box, or -1 for a false positive. */
  iou: number;
}

/** Greedy matching within one image and class, highest score first. */
function matchImage(predicted: Detection[], truth: Detection[], threshold: number): Match[] {
  const used = new Array<boolean>(truth.length).fill(false);
  const order = predicted.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  return order.map(({ d }) => {
    let best = -1, bestIou = threshold;
    truth.forEach((t, k) => {
      if (used[k]) return;
      const o = iou(d, t);
      // COCO keeps the highest overlap at or above the threshold.
      if (o >= bestIou) { bestIou = o; best = k; }
    });
    if (best < 0) return { score: d.score, iou: -1 };
    used[best] = true;
    return { score: d.score, iou: bestIou };
  });
}

/** 101-point interpolated AP from matches over all images of one class. */
export function averagePrecision(matches: Match[], truths: number): number {
  if (truths === 0) return 0;
  const sorted = [...matches].sort((a, b) => b.score - a.score);
  const precision: number[] = [], recall: number[] = [];
  let tp = 0;
  sorted.forEach((m, i) => {
    if (m.iou >= 0) tp++;
    precision.push(tp / (i + 1));
    recall.push(tp / truths);
  });
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let sum = 0, j = 0;
  for (let k = 0; k <= 100; k++) {
    const r = k / 100;
    while (j < recall.length && recall[j]! < r - 1e-12) j++;
    sum += j < recall.length ? precision[j]! : 0;
  }
  return sum / 101;
}

const ofClass = (boxes: Detection[], c: number) => boxes.filter((b) => b.classId === c);

export function detectionMetrics(images: ImageBoxes[]): DetectionMetrics {
  const classes = [...new Set(images.flatMap((im) => [...im.predicted, ...im.truth].map((b) => b.classId)))].sort((a, b) => a - b);
  const perClass: ClassAp[] = [];
  let matched = 0, iouSum = 0, missed = 0, extra = 0;
  for (const c of classes) {
    const split = images.map((im) => ({ p: ofClass(im.predicted, c), t: ofClass(im.truth, c) }));
    const truths = split.reduce((n, s) => n + s.t.length, 0);
    const detections = split.reduce((n, s) => n + s.p.length, 0);
    const at = (threshold: number) => split.flatMap((s) => matchImage(s.p, s.t, threshold));
    const at50 = at(0.5);
    const hits = at50.filter((m) => m.iou >= 0);
    matched += hits.length;
    iouSum += hits.reduce((s, m) => s + m.iou, 0);
    missed += truths - hits.length;
    extra += detections - hits.length;
    if (truths === 0) {
      perClass.push({ classId: c, truths, detections, ap50: null, ap5095: null });
      continue;
    }
    const ap50 = averagePrecision(at50, truths);
    const ap5095 = COCO_THRESHOLDS.reduce((s, t, k) => s + (k === 0 ? ap50 : averagePrecision(at(t), truths)), 0) / COCO_THRESHOLDS.length;
    perClass.push({ classId: c, truths, detections, ap50, ap5095 });
  }
  const scored = perClass.filter((p) => p.ap50 !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    images: images.length,
    truths: images.reduce((n, im) => n + im.truth.length, 0),
    detections: images.reduce((n, im) => n + im.predicted.length, 0),
    map50: mean(scored.map((p) => p.ap50!)),
    map5095: mean(scored.map((p) => p.ap5095!)),
    perClass,
    matched,
    meanIou: matched ? iouSum / matched : null,
    missed,
    extra,
  };
}
