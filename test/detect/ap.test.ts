// AP/mAP on hand-made box sets whose answers are worked out by hand in the comments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, detectionMetrics, iou, nonMaxSuppression, type Detection } from '../../src-main/detect/index';

const box = (x1: number, y1: number, x2: number, y2: number, score = 1, classId = 0): Detection => ({ x1, y1, x2, y2, score, classId });
const close = (a: number | null, b: number, what: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('IoU of disjoint, identical and half-overlapping boxes', () => {
  assert.equal(iou(box(0, 0, 10, 10), box(20, 20, 30, 30)), 0);
  assert.equal(iou(box(0, 0, 10, 10), box(0, 0, 10, 10)), 1);
  // 50 shared over 150 covered
  close(iou(box(0, 0, 10, 10), box(5, 0, 15, 10)), 1 / 3, 'half shifted');
});

test('identical detections give AP 1 at every threshold; mean IoU 1; nothing missed or extra', () => {
  const truth = [box(0, 0, 10, 10, 0.9), box(20, 20, 40, 40, 0.8, 1), box(50, 50, 60, 70, 0.7, 2)];
  const m = detectionMetrics([{ predicted: truth, truth }, { predicted: [box(1, 1, 5, 5, 0.6)], truth: [box(1, 1, 5, 5)] }]);
  close(m.map50, 1, 'mAP50');
  close(m.map5095, 1, 'mAP50-95');
  close(m.meanIou, 1, 'mean IoU');
  assert.deepEqual([m.matched, m.missed, m.extra, m.perClass.length], [4, 0, 0, 3]);
});

test('no detections: AP 0, every truth missed; no truth at all: mAP null', () => {
  const m = detectionMetrics([{ predicted: [], truth: [box(0, 0, 10, 10)] }]);
  assert.equal(m.map50, 0);
  assert.equal(m.missed, 1);
  assert.equal(m.meanIou, null);
  const none = detectionMetrics([{ predicted: [box(0, 0, 1, 1, 0.5)], truth: [] }]);
  assert.equal(none.map50, null);
  assert.equal(none.extra, 1);
  assert.equal(none.perClass[0]!.ap50, null);
});

test('a duplicate of a found box is a false positive after the match: AP stays 1 when it ranks last', () => {
  const t = [box(0, 0, 10, 10)];
  // ranked: hit (P 1, R 1), duplicate (P 0.5, R 1) → interpolated P at every recall is 1
  close(detectionMetrics([{ predicted: [box(0, 0, 10, 10, 0.9), box(0, 0, 10, 10, 0.8)], truth: t }]).map50, 1, 'dup last');
  // a false positive ranked first: P = 0.5 at recall 1 → every recall point reads 0.5
  const m = detectionMetrics([{ predicted: [box(50, 50, 60, 60, 0.9), box(0, 0, 10, 10, 0.8)], truth: t }]);
  close(m.map50, 0.5, 'fp first');
  assert.deepEqual([m.matched, m.extra, m.missed], [1, 1, 0]);
});

test('101-point interpolation: half the truths found at precision 1 gives 51/101', () => {
  // recall points 0, 0.01 … 0.5 read precision 1; 0.51 … 1 read 0
  close(averagePrecision([{ score: 1, iou: 0.9 }], 2), 51 / 101, 'half recall');
  // hits at ranks 1 and 3 of 3, 2 truths: P/R = (1, .5), (.5, .5), (.667, 1); interpolated 1 up to R .5, .667 after
  close(averagePrecision([{ score: 0.9, iou: 0.9 }, { score: 0.8, iou: -1 }, { score: 0.7, iou: 0.8 }], 2), (51 + 50 * (2 / 3)) / 101, 'ranks 1 and 3');
});

test('classes are matched separately and averaged over classes with truth', () => {
  // class 0 found (AP 1); class 1 boxed in the same place but labelled class 0 → class 1 AP 0
  const m = detectionMetrics([{ predicted: [box(0, 0, 10, 10, 0.9, 0), box(20, 0, 30, 10, 0.9, 0)], truth: [box(0, 0, 10, 10, 1, 0), box(20, 0, 30, 10, 1, 1)] }]);
  close(m.map50, 0.5, 'mean of 1 and 0');
  assert.deepEqual(m.perClass.map((c) => [c.classId, c.ap50]), [[0, 1], [1, 0]]);
});

test('IoU thresholds: a box at IoU 0.68 counts at 0.5…0.65, not from 0.7 on', () => {
  const truth = [box(0, 0, 10, 10)];
  const shifted = box(0, 1.9, 10, 11.9, 0.9); // inter 81, union 119 → 0.6807
  close(iou(shifted, truth[0]!), 81 / 119, 'iou');
  const m = detectionMetrics([{ predicted: [shifted], truth }]);
  close(m.map50, 1, 'at 0.5');
  // thresholds 0.5, 0.55, 0.6, 0.65 pass (4 of 10)
  close(m.map5095, 0.4, 'mAP50-95');
  close(m.meanIou, 81 / 119, 'mean IoU');
});

test('NMS keeps the best of overlapping same-class boxes, keeps other classes, caps the count', () => {
  const kept = nonMaxSuppression([box(0, 0, 10, 10, 0.8), box(1, 0, 11, 10, 0.9), box(1, 0, 11, 10, 0.7, 1), box(50, 50, 60, 60, 0.5)], { iouThreshold: 0.45, maxDetections: 100 });
  assert.deepEqual(kept.map((k) => [k.score, k.classId]), [[0.9, 0], [0.7, 1], [0.5, 0]]);
  assert.equal(nonMaxSuppression(kept, { iouThreshold: 0.45, maxDetections: 2 }).length, 2);
});
