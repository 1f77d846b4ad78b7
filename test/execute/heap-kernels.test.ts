// The kernels over the wasm backend's memory (graph/execute/heap-kernels.ts) against tfjs ops of
// the same backend: the one-pass range reader against tf.min / tf.max, the in-place add against
// tf.add, equal with Object.is (signed zeros, NaN, infinities), for every length around the
// 4-value lanes, for tensors as large as activations and views (reshapes) of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { tensorAdderInPlace, tensorOwnCopy, tensorRangeReader } from '../../src-main/graph/execute/heap-kernels';
import { createExecutor } from '../../src-main/graph/execute';
import { f32, graphOf, rand } from './helpers';

const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

test('one-pass min/max equals tf.min / tf.max exactly (signed zeros, NaN, ±Infinity, every tail length)', async (t) => {
  const tf = await initTfjs();
  const read = tensorRangeReader(tf);
  if (tf.getBackend() !== 'wasm') {
    assert.equal(read, undefined, 'only the wasm backend has the one-pass reader');
    return t.skip(`backend ${tf.getBackend()}: the executor reduces with tf.min / tf.max`);
  }
  assert.ok(read, 'wasm exports its memory: the reader exists');
  const cases: number[][] = [
    [5], [0, -0], [-0, 0], [1, 0, -0], [1, -0, 0], [-1, -0, 0, -2], [-1, 0, -0, -2], [3, -0, 5, 0, 0, 0, 0, 0, 0],
    [NaN, 1, 2], [1, NaN, -3], [1, 2, 3, 4, 5, 6, 7, NaN], [-Infinity, 2, Infinity], [-0, -0, -0, -0, -0],
  ];
  // Seeded values drawn from a few integers, zeros of both signs and an occasional NaN, 1–41 long.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 0; k < 2000; k++) {
    const n = 1 + Math.floor(random() * 41);
    cases.push(Array.from({ length: n }, () => {
      const r = random();
      return r < 0.15 ? 0 : r < 0.3 ? -0 : r < 0.31 ? NaN : Math.round((random() - 0.5) * 8);
    }));
  }
  let checked = 0;
  for (const values of cases) {
    const x = tf.tensor1d(values);
    const got = read(x);
    const [min, max] = [tf.min(x), tf.max(x)].map((r) => {
      const v = r.dataSync()[0]!;
      r.dispose();
      return v;
    });
    x.dispose();
    assert.ok(Object.is(got.min, min) && Object.is(got.max, max), `[${values.map(show).join(',')}]: ${show(got.min)}..${show(got.max)}, tf ${show(min!)}..${show(max!)}`);
    checked++;
  }
  assert.equal(checked, cases.length);
  // An activation-sized tensor and a ReLU of it (its minimum a zero).
  const big = tf.randomNormal([1, 112, 112, 32], 0, 1, 'float32', 3);
  for (const x of [big, tf.relu(big), tf.reshape(big, [112 * 112, 32])]) {
    const got = read(x);
    assert.ok(Object.is(got.min, tf.min(x).dataSync()[0]) && Object.is(got.max, tf.max(x).dataSync()[0]), `[${x.shape.join(',')}]`);
    x.dispose();
  }
});

test('the executor reports the same ranges through the one-pass reader as computed from the values', async () => {
  const g = graphOf(
    [f32('x', [1, 37]), f32('w', [5, 37], rand(185, 11)), f32('b', [5], rand(5, 12)), f32('y', [])],
    [{ name: 'fc', op: 'FULLY_CONNECTED', inputs: ['x', 'w', 'b'], outputs: ['y'], options: { fusedActivation: 'RELU', keepNumDims: false } }],
    ['x'], ['y'],
  );
  const executor = await createExecutor(g);
  try {
    for (let s = 0; s < 5; s++) {
      const ranges = new Map<string, [number, number]>();
      const fromValues = new Map<string, [number, number]>();
      const input = rand(37, 100 + s);
      await executor.run([input], { observeRange: (name, min, max) => ranges.set(name, [min, max]) });
      await executor.run([input], {
        observe: (name, values) => {
          let [min, max] = [values[0]!, values[0]!];
          for (const v of values) [min, max] = [v < min ? v : min, v > max ? v : max];
          fromValues.set(name, [min, max]);
        },
      });
      assert.deepEqual(ranges, fromValues);
      assert.equal(ranges.size, 2);
    }
  } finally {
    executor.dispose();
  }
});

test('in-place add equals tf.add value for value, leaves the added tensor and the copied source alone', async (t) => {
  const tf = await initTfjs();
  const add = tensorAdderInPlace(tf);
  if (tf.getBackend() !== 'wasm') {
    assert.equal(add, undefined);
    return t.skip(`backend ${tf.getBackend()}: the sums are replaced with tf.add`);
  }
  assert.ok(add);
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = () => {
    const r = random();
    return r < 0.1 ? 0 : r < 0.2 ? -0 : r < 0.22 ? NaN : r < 0.24 ? Infinity : r < 0.26 ? -Infinity : (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6);
  };
  for (let n = 1; n <= 41; n++) {
    const a = Float32Array.from({ length: n }, pick);
    const b = Float32Array.from({ length: n }, pick);
    const source = tf.tensor1d(a);
    const sum = tensorOwnCopy(tf, source);
    const value = tf.tensor1d(b);
    const expected = tf.add(source, value);
    add(sum, value);
    const [got, want] = [sum.dataSync(), expected.dataSync()];
    for (let i = 0; i < n; i++) assert.ok(Object.is(got[i], want[i]), `n ${n} [${i}]: ${a[i]} + ${b[i]} = ${want[i]}, got ${got[i]}`);
    assert.deepEqual(source.dataSync(), a, 'the copied source is unchanged');
    assert.deepEqual(value.dataSync(), b, 'the added tensor is unchanged');
    for (const x of [source, sum, value, expected]) x.dispose();
  }
  // A running sum over several activation-sized samples, as InputMeans keeps it.
  const samples = [1, 2, 3].map((s) => tf.randomNormal([1, 56, 56, 24], 0, 1, 'float32', s));
  const running = tensorOwnCopy(tf, samples[0]!);
  let reference = tf.clone(samples[0]!);
  for (const x of samples.slice(1)) {
    add(running, x);
    const next = tf.add(reference, x);
    reference.dispose();
    reference = next;
  }
  assert.deepEqual(running.dataSync(), reference.dataSync());
  assert.throws(() => add(running, tf.ones([3])), RangeError);
});
