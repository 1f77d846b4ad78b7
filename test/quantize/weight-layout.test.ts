// The per-channel weight quantization walks its tensor run by run (one channel per run of
// `inner` values), the lattice search rules a lattice out from one value before its exact test,
// and bias correction walks each row's weights as a progression (weightStride): each must give
// exactly what the per-value definitions give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mainGraph } from '../../src-main/graph/model-graph';
import { int8LatticeScale, int8WeightScale, int8WeightValue, quantizeWeightsSymmetric } from '../../src-main/quantize/math';
import { compensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { smallNet } from './small-net';
import { GraphBuilder, randomData } from './tiny-graphs';

/** The definition, value by value: channel = ⌊i / inner⌋ mod channels. */
function reference(data: Float32Array, shape: number[], axis: number | undefined) {
  const channels = axis === undefined ? 1 : shape[axis]!;
  const inner = axis === undefined ? data.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const members = Array.from({ length: channels }, (_, c) => Float32Array.from(data.filter((_, i) => channelOf(i) === c)));
  const absMax = members.map((m) => m.reduce((a, v) => Math.max(a, Math.abs(v)), 0));
  const scale = members.map((m, c) => int8LatticeScale(m, absMax[c]!) ?? int8WeightScale(absMax[c]!));
  const values = Int8Array.from(data, (v, i) => int8WeightValue(v, scale[channelOf(i)]!));
  const min = members.map((m) => (m.length ? Math.min(...m) : 0));
  const max = members.map((m) => (m.length ? Math.max(...m) : 0));
  return { values, scale, min, max };
}

test('quantizeWeightsSymmetric equals its value-by-value definition on every axis (lattice and zero channels included)', () => {
  const shapes: number[][] = [[8, 3, 3, 5], [1, 3, 3, 12], [10, 7], [4, 1, 1, 6], [6]];
  let seed = 40;
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = randomData(n, seed++, 0.3);
    for (const axis of [undefined, ...shape.keys()]) {
      const input = Float32Array.from(data);
      if (axis !== undefined) {
        // Channel 0 on a lattice (multiples of 0.05, at most 5 steps), channel 1 all zeros.
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const channels = shape[axis]!;
        input.forEach((_, i) => {
          const c = Math.floor(i / inner) % channels;
          if (c === 0) input[i] = Math.fround(0.05 * ((i % 11) - 5));
          if (c === 1 && channels > 2) input[i] = 0;
        });
      }
      const got = quantizeWeightsSymmetric(input, shape, axis);
      const want = reference(input, shape, axis);
      const where = `shape [${shape.join(',')}] axis ${axis}`;
      assert.deepEqual(got.values, want.values, where);
      assert.deepEqual(got.quant.scale, want.scale, where);
      assert.deepEqual(got.quant.min, want.min, where);
      assert.deepEqual(got.quant.max, want.max, where);
      assert.equal(got.quant.axis, axis, where);
    }
  }
});

/** The lattice search's definition: the first n ≤ 126 for which every w / (max / n) is within 3e-5 of an integer. */
function latticeByDefinition(values: Float32Array, absMax: number): number | undefined {
  if (!(absMax > 0)) return undefined;
  for (let n = 1; n < 127; n++) {
    const q = absMax / n;
    if (values.every((v) => Math.abs(v / q - Math.round(v / q)) <= 3e-5)) return n === 1 ? undefined : Math.fround(q / Math.floor(127 / n));
  }
  return undefined;
}

test('int8LatticeScale equals its definition: lattices of every n, values at the tolerance border, leading zeros, noise', () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cases: Float32Array[] = [];
  for (let n = 1; n <= 126; n++) {
    const q = 0.37 / n;
    const steps = Array.from({ length: 12 }, (_, i) => (i === 0 ? n : Math.floor(random() * (2 * n + 1)) - n));
    cases.push(Float32Array.from(steps, (k) => k * q));
    cases.push(Float32Array.from([0, 0, ...steps], (k) => k * q)); // zeros first: the first nonzero value rules out
    // One value nudged to just inside and just outside the tolerance (in units of q).
    for (const off of [2.9e-5, 3.1e-5]) cases.push(Float32Array.from(steps, (k, i) => (i === 3 ? (k + off) * q : k * q)));
  }
  for (let k = 0; k < 300; k++) cases.push(Float32Array.from({ length: 9 }, () => random() - 0.5));
  cases.push(new Float32Array(5), Float32Array.of(0, 0, 0.25, -0.5, 0.5));
  for (const values of cases) {
    const absMax = values.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    assert.equal(int8LatticeScale(values, absMax), latticeByDefinition(values, absMax), `[${Array.from(values).join(', ')}]`);
  }
  assert.ok(cases.some((v) => int8LatticeScale(v, v.reduce((a, x) => Math.max(a, Math.abs(x)), 0)) !== undefined), 'some cases are lattices');
});

test('weightStride walks the same offsets as weightOffsets (conv, depthwise with multiplier 1 and 2, 1×1 conv, fully connected)', () => {
  const graph = mainGraph(smallNet());
  const b = new GraphBuilder();
  const x = b.input('x', [1, 6, 6, 4]);
  const same = { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' };
  b.output(b.node('DEPTHWISE_CONV_2D', [x, b.constant('wd2', [1, 3, 3, 8]), b.constant('bd2', [8])], 'dw2', [1, 6, 6, 8], { ...same, depthMultiplier: 2 }));
  const multiplied = mainGraph(b.model());
  const layers = [...graph.nodes.map((n) => compensableLayer(graph, n)), compensableLayer(multiplied, multiplied.nodes[0]!)].filter((l) => typeof l !== 'string');
  assert.deepEqual(layers.map((l) => l.node.op), ['CONV_2D', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'FULLY_CONNECTED', 'DEPTHWISE_CONV_2D']);
  for (const layer of layers) {
    for (let group = 0; group < layer.groups; group++) {
      for (const row of layer.rowsOf(group)) {
        const { first, step } = layer.weightStride(row);
        assert.deepEqual(Array.from({ length: layer.fanIn }, (_, k) => first + k * step), layer.weightOffsets(row), `${layer.node.name} row ${row}`);
      }
    }
  }
});
