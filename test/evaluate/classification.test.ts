// Classification results (confusion, per-class accuracy, changed predictions) on a case small
// enough to check by hand, the logits path (softmax), the bound on the changed list, and the
// run hook that draws thumbnails from the inputs the models were fed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ClassificationCollector, classNamesFor, softmax } from '../../src-main/evaluate/classification';
import { classificationRun, THUMBNAIL_SIDE } from '../../src-main/evaluate/classification-run';

const f32 = (...v: number[]) => Float32Array.from(v);

/** Six samples of three classes; the comments give float top-1 / quantized top-1 / label. */
const CASE: [number[], number[], number][] = [
  [[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], 0], // s1: 0 / 0 / 0
  [[0.6, 0.3, 0.1], [0.4, 0.5, 0.1], 0], // s2: 0 / 1 / 0  quantization lost a right answer
  [[0.2, 0.7, 0.1], [0.2, 0.7, 0.1], 1], // s3: 1 / 1 / 1
  [[0.1, 0.3, 0.6], [0.1, 0.6, 0.3], 1], // s4: 2 / 1 / 1  quantization fixed a wrong one
  [[0.1, 0.1, 0.8], [0.1, 0.1, 0.8], 2], // s5: 2 / 2 / 2
  [[0.5, 0.1, 0.4], [0.3, 0.1, 0.6], 1], // s6: 0 / 2 / 1  both wrong, differently
];

test('a hand-checked case: accuracies, per-class rows, the three confusion matrices, changed samples', () => {
  const c = new ClassificationCollector('probs', 3, 2);
  CASE.forEach(([f, q, label], i) => c.add({ source: `s${i + 1}.png`, file: `${label}/s${i + 1}.png`, label }, f32(...f), f32(...q)));
  const r = c.result(['cat', 'dog', 'fox']);
  assert.equal(r.probabilities, 'output');
  assert.deepEqual([r.samples, r.labelled], [6, 6]);
  assert.equal(r.agreement, 3 / 6); // s1, s3, s5
  assert.equal(r.floatAccuracy, 4 / 6); // s1, s2, s3, s5
  assert.equal(r.quantAccuracy, 4 / 6); // s1, s3, s4, s5
  assert.deepEqual(
    r.perClass.map((p) => [p.name, p.samples, p.floatCorrect, p.quantCorrect, p.floatPredicted, p.agreed]),
    [
      ['cat', 2, 2, 1, 3, 1],
      ['dog', 3, 1, 2, 1, 1],
      ['fox', 1, 1, 1, 2, 1],
    ],
  );
  assert.deepEqual(r.perClass.map((p) => [p.floatAccuracy, p.quantAccuracy]), [[1, 0.5], [1 / 3, 2 / 3], [1, 1]]);
  assert.deepEqual(r.confusion.floatVsQuant, { rows: 'float', columns: 'quant', cells: [[0, 0, 1], [0, 1, 1], [0, 2, 1], [1, 1, 1], [2, 1, 1], [2, 2, 1]] });
  assert.deepEqual(r.confusion.labelVsFloat?.cells, [[0, 0, 2], [1, 0, 1], [1, 1, 1], [1, 2, 1], [2, 2, 1]]);
  assert.deepEqual(r.confusion.labelVsQuant?.cells, [[0, 0, 1], [0, 1, 1], [1, 1, 2], [1, 2, 1], [2, 2, 1]]);
  const cellSum = (cells: [number, number, number][]) => cells.reduce((n, [, , k]) => n + k, 0);
  assert.equal(cellSum(r.confusion.floatVsQuant.cells), 6);
  // Three changed (s2, s4, s6); two shown: the lost right answer, then the fixed one.
  assert.equal(r.changed.total, 3);
  assert.deepEqual(r.changed.shown, [
    { source: 's2.png', file: '0/s2.png', label: 0, float: { index: 0, prob: 0.6 }, quant: { index: 1, prob: 0.5 } },
    { source: 's4.png', file: '1/s4.png', label: 1, float: { index: 2, prob: 0.6 }, quant: { index: 1, prob: 0.6 } },
  ]);
});

test('without labels: agreement confusion and the changed list, no accuracy', () => {
  const c = new ClassificationCollector('probs', 3);
  CASE.forEach(([f, q], i) => c.add({ source: `s${i + 1}` }, f32(...f), f32(...q)));
  const r = c.result();
  assert.equal(r.labelled, 0);
  assert.equal(r.floatAccuracy, null);
  assert.equal(r.confusion.labelVsFloat, undefined);
  assert.equal(r.confusion.floatVsQuant.cells.length, 6);
  // By the probability the float class lost: s4 0.3, then s2 and s6 0.2 each.
  assert.equal(r.changed.shown[0]!.source, 's4');
  assert.deepEqual(r.changed.shown.map((s) => s.source).sort(), ['s2', 's4', 's6']);
  assert.deepEqual(r.classes, ['0', '1', '2']);
});

test('logits go through a softmax; numeric folder names are indices; long changed lists stay bounded', () => {
  const logits = f32(2, 0, -1);
  const p = softmax(logits);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const c = new ClassificationCollector('logits', 3);
  c.add({ source: 'a', label: 0 }, logits, f32(0, 2, -1));
  const r = c.result();
  assert.equal(r.probabilities, 'softmax');
  assert.equal(r.changed.shown[0]!.float.prob, Math.round(p[0]! * 1e4) / 1e4);
  assert.deepEqual(classNamesFor(4, ['1', '3']), ['0', '1', '2', '3']);
  assert.deepEqual(classNamesFor(3, ['bird', 'cat']), ['bird', 'cat', '2']);

  const many = new ClassificationCollector('probs', 2);
  for (let i = 0; i < 500; i++) many.add({ source: `x${i}`, label: i % 2 }, f32(0.9, 0.1), f32(0.4, 0.6));
  const m = many.result();
  assert.equal(m.changed.total, 500);
  assert.equal(m.changed.shown.length, 48);
  assert.ok(m.changed.shown.every((s) => s.label === 0), 'lost right answers (label 0) come first');
  assert.deepEqual(m.changed.shown.slice(0, 2).map((s) => s.source), ['x0', 'x2'], 'in sample order among equals');
});

test('the run hook picks the score output, keeps thumbnails of the changed samples only', async () => {
  const run = classificationRun();
  const image = (v: number) => Float32Array.from({ length: 8 * 8 }, (_, i) => (i % 8) / 7 + v);
  const shapes = { inputShapes: [[1, 8, 8, 1]], outputShapes: [[1, 64], [1, 3]] };
  // Output 0 is as large as the input (a reconstruction), output 1 holds the class scores.
  run.onSample({ source: 'a.png', label: 0, inputs: [image(0)], float: [image(0), f32(0.8, 0.1, 0.1)], quant: [image(0), f32(0.2, 0.7, 0.1)], ...shapes });
  run.onSample({ source: 'b.png', label: 2, inputs: [image(1)], float: [image(1), f32(0.1, 0.1, 0.8)], quant: [image(1), f32(0.1, 0.1, 0.8)], ...shapes });
  const done = await run.finish({ classes: ['a', 'b', 'c'], outputs: ['recon', 'probs'] });
  assert.ok(done);
  assert.equal(done.results.output, 'probs');
  assert.deepEqual(done.results.classes, ['a', 'b', 'c']);
  assert.equal(done.thumbnails.length, 1);
  const meta = await sharp(Buffer.from(done.thumbnails[0]!, 'base64')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 8, 8]);
  assert.ok(THUMBNAIL_SIDE >= 28, 'a digit keeps its size');

  const none = classificationRun();
  none.onSample({ source: 'r', inputs: [f32(1, 2)], float: [f32(1, 2)], quant: [f32(1, 2)], inputShapes: [[1, 2]], outputShapes: [[1, 2]] });
  assert.equal(await none.finish({ outputs: ['y'] }), undefined, 'no score output: no classification results');
});
