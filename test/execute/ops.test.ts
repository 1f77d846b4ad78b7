// More op semantics against plain references or tfjs directly: TRANSPOSE_CONV layout and
// padding, STRIDED_SLICE masks, GATHER, RESIZE_BILINEAR half-pixel, PRELU, SPLIT operand order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExecutor, executeGraph } from '../../src-main/graph/execute';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { f32, graphOf, i32, maxAbsDiff, rand } from './helpers';

test('TRANSPOSE_CONV with [out,kh,kw,in] weights, SAME, stride 2 matches a scatter reference', async () => {
  const [h, w, cin, cout, k, s] = [3, 4, 2, 3, 3, 2];
  const [oh, ow] = [h * s, w * s];
  const x = rand(h * w * cin, 21);
  const wt = rand(cout * k * k * cin, 22);
  const b = rand(cout, 23);
  const g = graphOf(
    [i32('shape', [1, oh, ow, cout]), f32('w', [cout, k, k, cin], wt), f32('x', [1, h, w, cin]), f32('b', [cout], b), f32('y', [])],
    [{ name: 't', op: 'TRANSPOSE_CONV', inputs: ['shape', 'w', 'x', 'b'], outputs: ['y'], options: { padding: 'SAME', strideH: s, strideW: s, fusedActivation: 'NONE' } }],
    ['x'], ['y'],
  );
  const [y] = await executeGraph(g, [x]);
  const ref = new Float32Array(oh * ow * cout);
  const padT = Math.floor(Math.max((h - 1) * s + k - oh, 0) / 2);
  const padL = Math.floor(Math.max((w - 1) * s + k - ow, 0) / 2);
  for (let i = 0; i < oh * ow; i++) for (let o = 0; o < cout; o++) ref[i * cout + o] = b[o]!;
  for (let yy = 0; yy < h; yy++)
    for (let xx = 0; xx < w; xx++)
      for (let u = 0; u < k; u++)
        for (let v = 0; v < k; v++) {
          const oy = yy * s + u - padT;
          const ox = xx * s + v - padL;
          if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
          for (let o = 0; o < cout; o++)
            for (let c = 0; c < cin; c++) ref[(oy * ow + ox) * cout + o]! += x[(yy * w + xx) * cin + c]! * wt[((o * k + u) * k + v) * cin + c]!;
        }
  assert.ok(maxAbsDiff(y!, ref) < 1e-4, `max diff ${maxAbsDiff(y!, ref)}`);
});

test('STRIDED_SLICE (masks, shrink), GATHER, SPLIT (axis first), PRELU, RESIZE_BILINEAR half-pixel', async () => {
  const tf = await initTfjs();
  const x = rand(1 * 4 * 6 * 2, 31);
  const alpha = rand(2, 32).map((v) => Math.abs(v));
  const g = graphOf(
    [
      f32('x', [1, 4, 6, 2]), i32('b', [0, 1, 0, 0]), i32('e', [0, 4, 6, 1]), i32('s', [1, 2, 2, 1]), f32('ss', []),
      i32('idx', [5, 0, 2]), f32('ga', []), i32('axis', [2]), f32('p0', []), f32('p1', []), f32('alpha', [2], alpha), f32('pr', []),
      i32('size', [8, 12]), f32('rs', []),
    ],
    [
      { name: 'ss', op: 'STRIDED_SLICE', inputs: ['x', 'b', 'e', 's'], outputs: ['ss'], options: { beginMask: 1, endMask: 1, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 8, offset: false } },
      { name: 'ga', op: 'GATHER', inputs: ['x', 'idx'], outputs: ['ga'], options: { axis: 2, batchDims: 0 } },
      { name: 'sp', op: 'SPLIT', inputs: ['axis', 'x'], outputs: ['p0', 'p1'], options: { numSplits: 2 } },
      { name: 'pr', op: 'PRELU', inputs: ['x', 'alpha'], outputs: ['pr'], options: {} },
      { name: 'rs', op: 'RESIZE_BILINEAR', inputs: ['x', 'size'], outputs: ['rs'], options: { alignCorners: false, halfPixelCenters: true } },
    ],
    ['x'], ['ss', 'ga', 'p1', 'pr', 'rs'],
  );
  const ex = await createExecutor(g);
  const [ss, ga, p1, pr, rs] = await ex.run([x]);
  assert.deepEqual(ex.lastShapes, [[1, 2, 3], [1, 4, 3, 2], [1, 4, 3, 2], [1, 4, 6, 2], [1, 8, 12, 2]]);
  ex.dispose();
  tf.tidy(() => {
    const t = tf.tensor4d(x, [1, 4, 6, 2]);
    const at = (yy: number, xx: number, c: number) => x[(yy * 6 + xx) * 2 + c]!;
    assert.deepEqual(Array.from(ss!), [at(1, 0, 0), at(1, 2, 0), at(1, 4, 0), at(3, 0, 0), at(3, 2, 0), at(3, 4, 0)]);
    assert.ok(maxAbsDiff(ga!, tf.gather(t, [5, 0, 2], 2).dataSync()) === 0);
    assert.ok(maxAbsDiff(p1!, tf.slice(t, [0, 0, 3, 0], [1, 4, 3, 2]).dataSync()) === 0);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(pr![i]! - (x[i]! >= 0 ? x[i]! : x[i]! * alpha[i % 2]!)) < 1e-6);
    // Half-pixel centres: output (0,0) samples input at (-0.25,-0.25) → clamped to pixel (0,0).
    assert.ok(Math.abs(rs![0]! - at(0, 0, 0)) < 1e-6);
    assert.ok(maxAbsDiff(rs!, tf.image.resizeBilinear(t, [8, 12], false, true).dataSync()) < 1e-6);
  });
});
