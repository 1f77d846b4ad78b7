// The run page's confusion matrix view (src-renderer/features/classify/confusion.ts): the dense
// grid of a small matrix, the N most confused classes of a 100-class one with what falls outside
// them counted under "other", heat steps, and the per-class change marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassificationCollector } from '../../src-main/evaluate/classification';
import { deltaKind, heat, HEAT_STEPS, matrixView, mostConfused, signedPoints } from '../../src-renderer/features/classify/confusion';

const oneHot = (k: number, n: number, p = 0.9) => Float32Array.from({ length: n }, (_, i) => (i === k ? p : (1 - p) / (n - 1)));

test('ten classes: the whole matrix, dense, counts as recorded', () => {
  const c = new ClassificationCollector('probs', 10);
  for (let i = 0; i < 50; i++) c.add({ source: `${i}`, label: i % 10 }, oneHot(i % 10, 10), oneHot(i % 7 === 0 ? (i + 1) % 10 : i % 10, 10));
  const r = c.result();
  const v = matrixView(r, 'labelVsQuant');
  assert.equal(v.partial, false);
  assert.deepEqual(v.names, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(v.counts.flat().reduce((a, b) => a + b, 0), 50);
  assert.equal(v.total, 50);
  for (const [row, column, n] of r.confusion.labelVsQuant!.cells) assert.equal(v.counts[row]![column], n);
});

test('a hundred classes: the 20 most confused, the rest of each row under "other", totals kept', () => {
  const n = 100;
  const c = new ClassificationCollector('probs', n);
  // Every class right 3 times; classes 10…19 are each confused with class 90+k twice.
  for (let k = 0; k < n; k++) for (let j = 0; j < 3; j++) c.add({ source: `${k}-${j}`, label: k }, oneHot(k, n), oneHot(k, n));
  for (let k = 10; k < 20; k++) for (let j = 0; j < 2; j++) c.add({ source: `x${k}-${j}`, label: k }, oneHot(k, n), oneHot(80 + k, n));
  const r = c.result();
  assert.deepEqual(mostConfused(r.confusion.floatVsQuant, 20), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  const v = matrixView(r, 'floatVsQuant');
  assert.equal(v.partial, true);
  assert.equal(v.shown.length, 20);
  assert.equal(v.total, 320);
  assert.equal(v.counts[0]![10], 2, 'class 10 → 90');
  assert.equal(v.counts[0]![0], 3);
  assert.equal(v.drawn + v.other.reduce((a, b) => a + b, 0), 20 * 3 + 20, 'rows of the shown classes are complete');
  const ten = matrixView(r, 'floatVsQuant', 10);
  assert.equal(ten.shown.length, 10);
});

test('heat steps and per-class change marks', () => {
  assert.equal(heat(0, 10), 0);
  assert.equal(heat(1, 10), 1);
  assert.equal(heat(10, 10), HEAT_STEPS);
  assert.equal(deltaKind(0.9, 0.8), 'worse');
  assert.equal(deltaKind(0.8, 0.9), 'better');
  assert.equal(deltaKind(0.9, 0.9), 'same');
  assert.equal(deltaKind(null, 0.9), 'same');
  assert.equal(signedPoints(1, 0.875), '−12.5 pt');
  assert.equal(signedPoints(0.5, 0.5), '±0.0 pt');
});
