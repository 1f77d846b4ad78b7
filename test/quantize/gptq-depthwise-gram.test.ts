// Depthwise H summed channel-inner over a compact copy of each sample's kept windows
// (`addDepthwiseGram`: the written-out 3×3 path and the loops for other window sizes) equals
// Σ x·xᵀ over the generic per-patch walk in float64, up to the order of the float64 sums: with
// and without bias, stride 1 and 2, SAME (taps in the padding) and VALID, dilation, a batch of
// two, thinned positions, several samples added into the same sums.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mainGraph } from '../../src-main/graph/model-graph';
import { addChannelInner, addDepthwiseGram, mirrorLower } from '../../src-main/quantize/rounding/gram';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { GraphBuilder, randomData } from './tiny-graphs';

interface Case {
  what: string;
  shape: [number, number, number, number];
  kh: number;
  kw: number;
  stride: number;
  padding: 'SAME' | 'VALID';
  dilation?: number;
  bias: boolean;
  thin: number;
}

function depthwise(c: Case): CompensableLayer {
  const b = new GraphBuilder();
  const [n, h, w, ch] = c.shape;
  const x = b.input('x', [n, h, w, ch]);
  const options = { padding: c.padding, strideH: c.stride, strideW: c.stride, dilationH: c.dilation ?? 1, dilationW: c.dilation ?? 1, depthMultiplier: 1, fusedActivation: 'NONE' };
  // The output shape is not read by the patch walk: only the input's.
  b.output(b.node('DEPTHWISE_CONV_2D', [x, b.constant('w', [1, c.kh, c.kw, ch]), c.bias ? b.constant('b', [ch]) : null], 'y', [n, 1, 1, ch], options));
  const graph = mainGraph(b.model());
  const layer = compensableLayer(graph, graph.nodes[0]!);
  assert.ok(typeof layer !== 'string', String(layer));
  return layer;
}

/** Σ x·xᵀ per channel over `forEachPatch` (float64, full matrices). */
function perPatch(layer: CompensableLayer, values: Float32Array, shape: readonly number[], thin: number, into: Float64Array[]): number {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  let patches = 0;
  layer.forEachPatch(values, shape, (g, x) => {
    const h = into[g]!;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] += x[i]! * x[j]!;
    if (g === 0) patches++;
  }, thin);
  return patches;
}

const cases: Case[] = [
  { what: '3×3 stride 1 SAME with bias', shape: [1, 9, 8, 5], kh: 3, kw: 3, stride: 1, padding: 'SAME', bias: true, thin: 1 },
  { what: '3×3 stride 2 SAME without bias', shape: [1, 9, 8, 5], kh: 3, kw: 3, stride: 2, padding: 'SAME', bias: false, thin: 1 },
  { what: '3×3 stride 2 VALID with bias, thinned', shape: [1, 15, 13, 7], kh: 3, kw: 3, stride: 2, padding: 'VALID', bias: true, thin: 3 },
  { what: '3×3 dilation 2 SAME, batch of two, thinned', shape: [2, 10, 9, 3], kh: 3, kw: 3, stride: 1, padding: 'SAME', dilation: 2, bias: true, thin: 4 },
  { what: '5×5 stride 2 SAME with bias (the loops)', shape: [1, 11, 10, 6], kh: 5, kw: 5, stride: 2, padding: 'SAME', bias: true, thin: 1 },
  { what: '5×5 stride 1 SAME without bias, thinned (the loops)', shape: [1, 12, 12, 4], kh: 5, kw: 5, stride: 1, padding: 'SAME', bias: false, thin: 5 },
  { what: '2×3 stride 1 VALID with bias (the loops, odd tap count)', shape: [1, 6, 7, 3], kh: 2, kw: 3, stride: 1, padding: 'VALID', bias: true, thin: 1 },
];

for (const c of cases) {
  test(`depthwise H channel-inner equals the per-patch sums: ${c.what}`, () => {
    const layer = depthwise(c);
    const k = layer.fanIn + (layer.bias ? 1 : 0);
    const channels = c.shape[3];
    assert.equal(layer.groups, channels);
    const hc = new Float64Array(k * k * channels);
    const want = Array.from({ length: channels }, () => new Float64Array(k * k));
    let patches = 0;
    for (let s = 0; s < 3; s++) {
      // Inputs after a ReLU: a good part of them exactly 0.
      const values = randomData(c.shape.reduce((a, b) => a * b, 1), 300 + s).map((v) => Math.max(v, -0.2) + 0.2);
      addDepthwiseGram(layer, values, c.shape, c.thin, hc);
      patches += perPatch(layer, values, c.shape, c.thin, want);
    }
    assert.ok(patches > 3, `${patches} windows summed`);
    const got = Array.from({ length: channels }, () => new Float64Array(k * k));
    addChannelInner(hc, k, channels, got);
    for (const m of got) mirrorLower(m, k);
    for (let g = 0; g < channels; g++) {
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          // Both are float64 sums of exact products of float32 values: only their order differs.
          const scale = Math.sqrt(want[g]![i * k + i]! * want[g]![j * k + j]!) || 1;
          const error = Math.abs(got[g]![i * k + j]! - want[g]![i * k + j]!) / scale;
          assert.ok(error < 1e-12, `channel ${g} H[${i}][${j}]: ${got[g]![i * k + j]} vs ${want[g]![i * k + j]}`);
        }
      }
      assert.ok(want[g]![(k - 2) * k + k - 2]! > 0, `channel ${g}: H is not empty`);
      if (layer.bias) assert.equal(got[g]![k * k - 1], patches, `channel ${g}: the bias diagonal counts the windows`);
    }
  });
}
