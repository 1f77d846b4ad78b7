// Evaluating a `--detector-fix split` file against its float model: the split groups
// (`X_boxes`, `X_scores`) are joined back into X's layout; anything else that differs is refused
// with the outputs named. (The whole flow, a real split YOLOv8-style file through `evaluate
// --task detect`, is in test/detect/yolov8.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinOutputs, outputJoin } from '../../src-main/evaluate/split-outputs';
import type { RuntimeTensorInfo } from '../../src-main/runtime/types';

const info = (name: string, shape: number[]): RuntimeTensorInfo => ({ name, dtype: 'float32', shape });

test('split outputs: X_boxes [1,4,N] and X_scores [1,3,N] join back into X [1,7,N] in order; a one-to-one pair needs no join', () => {
  assert.equal(outputJoin([info('x', [1, 7, 5])], [info('x_q', [1, 7, 5])]), undefined);
  const float = [info('head', [1, 7, 5]), info('aux', [1, 2])];
  const quant = [info('head_boxes', [1, 4, 5]), info('head_scores', [1, 3, 5]), info('aux', [1, 2])];
  const join = outputJoin(float, quant)!;
  assert.deepEqual(join.parts, [[0, 1], [2]]);
  assert.deepEqual(join.axes, [1, -1]);
  const boxes = Float32Array.from({ length: 20 }, (_, i) => i);
  const scores = Float32Array.from({ length: 15 }, (_, i) => 100 + i);
  const [joined, aux] = joinOutputs(join, [boxes, scores, Float32Array.of(7, 8)]);
  assert.deepEqual(Array.from(joined!), [...boxes, ...scores]);
  assert.deepEqual(Array.from(aux!), [7, 8]);
  // Channels last: [1, N, 4] + [1, N, 3] → [1, N, 7], interleaved per anchor.
  const last = outputJoin([info('y', [1, 2, 7])], [info('y_boxes', [1, 2, 4]), info('y_scores', [1, 2, 3])])!;
  const [row] = joinOutputs(last, [Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), Float32Array.of(-1, -2, -3, -4, -5, -6)]);
  assert.deepEqual(Array.from(row!), [1, 2, 3, 4, -1, -2, -3, 5, 6, 7, 8, -4, -5, -6]);
});

test('split outputs: outputs that are neither the same nor split groups that add up are refused, naming them', () => {
  assert.throws(() => outputJoin([info('head', [1, 7, 5])], [info('head_boxes', [1, 4, 5]), info('head_scores', [1, 4, 5])]), /Output 0 'head' \[1,7,5\].*'head_boxes' \[1,4,5\]/);
  assert.throws(() => outputJoin([info('head', [1, 7, 5])], [info('other', [1, 4, 5]), info('more', [1, 3, 5])]), /neither in the quantized model nor split/);
  assert.throws(() => outputJoin([info('a', [1, 2])], [info('a', [1, 2]), info('b', [1, 3])]), /outputs the float model does not \('b'\)/);
});
