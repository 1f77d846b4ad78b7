import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExecutor, executeGraph } from '../../src-main/graph/execute';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import type { Tensor } from '../../src-main/graph/model-graph';
import { f32, graphOf, i32, maxAbsDiff, rand, refConv, refDepthwise } from './helpers';

const conv = (strideH: number, dilation: number, padding: 'SAME' | 'VALID', fusedActivation: 'NONE' | 'RELU6' = 'NONE') => ({
  padding, strideH, strideW: strideH, dilationH: dilation, dilationW: dilation, fusedActivation,
});

for (const [stride, dil, pad] of [[1, 1, 'SAME'], [2, 1, 'SAME'], [1, 2, 'SAME'], [2, 1, 'VALID']] as const) {
  test(`CONV_2D OHWI weights stride ${stride} dilation ${dil} ${pad} matches a plain reference`, async () => {
    const xs = [1, 9, 8, 3];
    const x = rand(9 * 8 * 3, 1);
    const w = rand(5 * 3 * 3 * 3, 2);
    const b = rand(5, 3);
    const g = graphOf(
      [f32('x', xs), f32('w', [5, 3, 3, 3], w), f32('b', [5], b), f32('y', [])],
      [{ name: 'c', op: 'CONV_2D', inputs: ['x', 'w', 'b'], outputs: ['y'], options: conv(stride, dil, pad) }],
      ['x'], ['y'],
    );
    const [y] = await executeGraph(g, [x]);
    const ref = refConv(x, xs, w, [5, 3, 3], b, stride, dil, pad === 'SAME');
    assert.ok(maxAbsDiff(y!, ref.y) < 1e-4, `max diff ${maxAbsDiff(y!, ref.y)}`);
  });
}

test('DEPTHWISE_CONV_2D with multiplier 2 matches a plain reference', async () => {
  const xs = [1, 6, 5, 3];
  const x = rand(6 * 5 * 3, 4);
  const w = rand(3 * 3 * 6, 5);
  const b = rand(6, 6);
  const g = graphOf(
    [f32('x', xs), f32('w', [1, 3, 3, 6], w), f32('b', [6], b), f32('y', [])],
    [{ name: 'd', op: 'DEPTHWISE_CONV_2D', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { ...conv(1, 1, 'SAME'), depthMultiplier: 2 } }],
    ['x'], ['y'],
  );
  const [y] = await executeGraph(g, [x]);
  assert.ok(maxAbsDiff(y!, refDepthwise(x, xs, w, 3, 3, 2, b)) < 1e-4);
});

test('FULLY_CONNECTED [out,in] weights, keepNumDims, fused RELU; observe sees every float tensor', async () => {
  const x = rand(2 * 3 * 4, 7);
  const w = rand(5 * 4, 8);
  const b = rand(5, 9);
  const g = graphOf(
    [f32('x', [2, 3, 4]), f32('w', [5, 4], w), f32('b', [5], b), f32('y', [])],
    [{ name: 'fc', op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { fusedActivation: 'RELU', keepNumDims: true } }],
    ['x'], ['y'],
  );
  const seen: string[] = [];
  const ex = await createExecutor(g);
  const [y] = await ex.run([x], { observe: (name) => seen.push(name) });
  assert.deepEqual(ex.lastShapes[0], [2, 3, 5]);
  ex.dispose();
  assert.deepEqual(seen, ['x', 'y']);
  for (let r = 0; r < 6; r++)
    for (let o = 0; o < 5; o++) {
      let acc = b[o]!;
      for (let i = 0; i < 4; i++) acc += x[r * 4 + i]! * w[o * 4 + i]!;
      assert.ok(Math.abs(y![r * 5 + o]! - Math.max(acc, 0)) < 1e-5);
    }
});

test('a small network (pad, pool, add, concat, mean, reshape, softmax) matches tfjs computed directly, without leaking', async () => {
  const tf = await initTfjs();
  const x = rand(1 * 8 * 8 * 2, 11);
  const tensors: Tensor[] = [
    f32('x', [1, 8, 8, 2]), i32('pads', [0, 0, 1, 1, 1, 1, 0, 0]), f32('p', []), f32('m', []), f32('a', []), f32('h', []),
    f32('cat', []), i32('axes', [1, 2]), f32('mean', []), i32('shape', [1, 4]), f32('r', []), f32('s', []), f32('k', [2], Float32Array.from([0.5, -2])),
  ];
  const g = graphOf(tensors, [
    { name: 'pad', op: 'PAD', inputs: ['x', 'pads'], outputs: ['p'], options: {} },
    { name: 'pool', op: 'MAX_POOL_2D', inputs: ['p'], outputs: ['m'], options: { padding: 'VALID', strideH: 2, strideW: 2, filterH: 3, filterW: 3, fusedActivation: 'NONE' } },
    { name: 'add', op: 'MUL', inputs: ['m', 'k'], outputs: ['a'], options: { fusedActivation: 'RELU6' } },
    { name: 'hs', op: 'HARD_SWISH', inputs: ['a'], outputs: ['h'], options: {} },
    { name: 'cat', op: 'CONCATENATION', inputs: ['a', 'h'], outputs: ['cat'], options: { axis: -1, fusedActivation: 'NONE' } },
    { name: 'mean', op: 'MEAN', inputs: ['cat', 'axes'], outputs: ['mean'], options: { keepDims: false } },
    { name: 'rs', op: 'RESHAPE', inputs: ['mean', 'shape'], outputs: ['r'], options: { newShape: [1, 4] } },
    { name: 'sm', op: 'SOFTMAX', inputs: ['r'], outputs: ['s'], options: { beta: 1 } },
  ], ['x'], ['s']);
  const before = tf.memory().numTensors;
  const ex = await createExecutor(g);
  const [y] = await ex.run([x]);
  await ex.run([x]);
  ex.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  const expected = tf.tidy(() => {
    const t = tf.tensor4d(x, [1, 8, 8, 2]);
    const p = tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const m = tf.maxPool(p, 3, 2, 'valid');
    const a = tf.clipByValue(tf.mul(m, tf.tensor1d([0.5, -2])), 0, 6);
    const h = tf.mul(a, tf.div(tf.relu6(tf.add(a, 3)), 6));
    return tf.softmax(tf.reshape(tf.mean(tf.concat([a, h], 3), [1, 2]), [1, 4])).dataSync();
  });
  assert.ok(maxAbsDiff(y!, expected) < 1e-6);
});

test('DEQUANTIZE of float16 and per-channel int8 constants decodes them', async () => {
  // 1.5 = 0x3E00, -2 = 0xC000 in IEEE half.
  const g = graphOf(
    [
      { name: 'h', dtype: 'float16', shape: [2], data: Uint16Array.from([0x3e00, 0xc000]) },
      { name: 'q', dtype: 'int8', shape: [2, 1], data: Int8Array.from([10, -4]), quant: { scale: [0.5, 0.25], zeroPoint: [0, 0], axis: 0 } },
      f32('x', [2]), f32('hd', []), f32('qd', []), f32('y', []), f32('z', []),
    ],
    [
      { name: 'd1', op: 'DEQUANTIZE', inputs: ['h'], outputs: ['hd'], options: {} },
      { name: 'd2', op: 'DEQUANTIZE', inputs: ['q'], outputs: ['qd'], options: {} },
      { name: 'm', op: 'MUL', inputs: ['x', 'hd'], outputs: ['y'], options: { fusedActivation: 'NONE' } },
    ],
    ['x'], ['y', 'qd'],
  );
  const [y, qd] = await executeGraph(g, [Float32Array.from([2, 3])]);
  assert.deepEqual(Array.from(y!), [3, -6]);
  assert.deepEqual(Array.from(qd!), [5, -1]);
});

test('QUANTIZE simulates int8 rounding and clamping', async () => {
  const g = graphOf(
    [f32('x', [4]), { name: 'q', dtype: 'int8', shape: [4], quant: { scale: [0.1], zeroPoint: [-10] } }, f32('d', [])],
    [
      { name: 'q', op: 'QUANTIZE', inputs: ['x'], outputs: ['q'], options: {} },
      { name: 'd', op: 'DEQUANTIZE', inputs: ['q'], outputs: ['d'], options: {} },
    ],
    ['x'], ['d'],
  );
  const [d] = await executeGraph(g, [Float32Array.from([0.04, 0.26, 100, -100])]);
  const expected = [0, 0.3, (127 + 10) * 0.1, (-128 + 10) * 0.1];
  assert.ok(maxAbsDiff(d!, expected) < 1e-5, String(Array.from(d!)));
});

test('a wrong input size is an InputError naming the input', async () => {
  const g = graphOf([f32('x', [1, 4]), f32('y', [])], [{ name: 'r', op: 'RELU', inputs: ['x'], outputs: ['y'], options: {} }], ['x'], ['y']);
  await assert.rejects(executeGraph(g, [new Float32Array(3)]), /Input 'x' expects shape \[1,4\]/);
});

test('an op the interpreter cannot run is refused up front', async () => {
  const g = graphOf([f32('x', [1]), f32('y', [])], [{ name: 'c', op: 'CUSTOM', customCode: 'TFLite_Detection_PostProcess', inputs: ['x'], outputs: ['y'], options: {} }], ['x'], ['y']);
  await assert.rejects(executeGraph(g, [new Float32Array(1)]), /custom op 'TFLite_Detection_PostProcess'/);
});

test('QUANTIZE rounds ties away from zero like TFLite', async () => {
  const g = graphOf(
    [f32('x', [4]), { name: 'q', dtype: 'int8', shape: [4], quant: { scale: [0.5], zeroPoint: [0] } }, f32('d', [])],
    [
      { name: 'q', op: 'QUANTIZE', inputs: ['x'], outputs: ['q'], options: {} },
      { name: 'd', op: 'DEQUANTIZE', inputs: ['q'], outputs: ['d'], options: {} },
    ],
    ['x'], ['d'],
  );
  const [d] = await executeGraph(g, [Float32Array.from([0.25, -0.25, 0.75, 1.25])]);
  assert.deepEqual(Array.from(d!), [0.5, -0.5, 1, 1.5]);
});
