// The faster paths of error-compensated rounding give what the straightforward ones gave: the
// nearest-plane rounding with M (H = MᵀM) makes GPTQ's choices (updates through the Cholesky
// factor of H⁻¹), and the row-copy / depthwise patch products equal the generic patch walk's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { LayerSums } from '../../src-main/quantize/rounding/accumulate';
import { addChannelInner, addDepthwiseGram, addDepthwiseProducts, addTransposedProduct, mirrorLower, patchMatrix } from '../../src-main/quantize/rounding/gram';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { inverseUpperCholesky, lowerRightFactor } from '../../src-main/quantize/rounding/linear-algebra';
import { mainGraph } from '../../src-main/graph/model-graph';
import { ROWS_AT_ONCE, roundRows, roundSequentially } from '../../src-main/quantize/rounding/nearest-plane';
import { GraphBuilder, randomData } from './tiny-graphs';

function spd(k: number, seed: number): Float64Array {
  const m = randomData(k * k, seed);
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) a[i * k + j] += m[i * k + p]! * m[j * k + p]!;
  for (let i = 0; i < k; i++) a[i * k + i] += 0.05;
  return a;
}

test('nearest-plane rounding with M (H = MᵀM; Cholesky in blocks of four rows) chooses exactly the grid points of GPTQ updates through chol(H⁻¹), one row or several rows at a time', () => {
  const grid = (x: number) => Math.round(x * 8) / 8;
  for (const k of [5, 24, 61]) {
    const h = spd(k, k);
    const m = lowerRightFactor(h, k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if (j > i) assert.equal(m[i * k + j], 0, 'M is lower triangular');
        let s = 0;
        for (let p = 0; p < k; p++) s += m[p * k + i]! * m[p * k + j]!;
        assert.ok(Math.abs(s - h[i * k + j]!) < 1e-9 * (1 + Math.abs(h[i * k + j]!)), `(MᵀM)[${i}][${j}]`);
      }
    }
    const u = inverseUpperCholesky(h, k);
    const rounded: Float64Array[] = [];
    for (let row = 0; row < 18; row++) {
      const w = Float64Array.from(randomData(k, 100 * k + row));
      // GPTQ as published: round v_i, push (v_i − q)/U_ii along U's row i onto the later weights.
      const gptq = Float64Array.from(w);
      for (let i = 0; i < k; i++) {
        const q = grid(gptq[i]!);
        const err = (gptq[i]! - q) / u[i * k + i]!;
        gptq[i] = q;
        for (let j = i + 1; j < k; j++) gptq[j] -= err * u[i * k + j]!;
      }
      const ours = Float64Array.from(w);
      roundSequentially(m, k, ours, new Float64Array(k), (_i, target) => grid(target));
      assert.deepEqual([...ours], [...gptq], `k=${k} row ${row}`);
      rounded.push(gptq);
    }
    // Eight rows at a time (M read once for the eight), two in the last block: the same choices.
    for (let first = 0; first < 18; first += ROWS_AT_ONCE) {
      const count = Math.min(ROWS_AT_ONCE, 18 - first);
      const v = new Float64Array(ROWS_AT_ONCE * k);
      for (let b = 0; b < count; b++) v.set(randomData(k, 100 * k + first + b), b * k);
      roundRows(m, k, v, new Float64Array(ROWS_AT_ONCE * k), count, (_b, _i, target) => grid(target));
      for (let b = 0; b < count; b++) assert.deepEqual([...v.subarray(b * k, b * k + k)], [...rounded[first + b]!], `k=${k} row ${first + b}, ${ROWS_AT_ONCE} at a time`);
    }
  }
});

function layerOf(op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED', inShape: number[], wShape: number[], outShape: number[], options: Record<string, unknown>): CompensableLayer {
  const b = new GraphBuilder();
  const x = b.input('x', inShape);
  const biasLength = op === 'DEPTHWISE_CONV_2D' ? wShape[3]! : wShape[0]!;
  b.output(b.node(op, [x, b.constant('w', wShape), b.constant('b', [biasLength])], 'y', outShape, options));
  const graph = mainGraph(b.model());
  const layer = compensableLayer(graph, graph.nodes[0]!);
  assert.ok(typeof layer !== 'string', String(layer));
  return layer;
}

/** H (and D) summed over the generic per-patch walk, float64. */
function generic(layer: CompensableLayer, seen: Float32Array, exact: Float32Array, shape: number[], thin: number): { h: Float64Array[]; d: Float64Array[] } {
  const k = layer.fanIn + 1;
  const h = Array.from({ length: layer.groups }, () => new Float64Array(k * k));
  const d = Array.from({ length: layer.groups }, () => new Float64Array(k * k));
  const seenPatches: Float64Array[] = [];
  layer.forEachPatch(seen, shape, (_g, p) => seenPatches.push(Float64Array.from(p)), thin);
  let n = 0;
  layer.forEachPatch(exact, shape, (g, f) => {
    const x = seenPatches[n++]!;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      h[g]![i * k + j] += x[i]! * x[j]!;
      d[g]![i * k + j] += x[i]! * (f[j]! - x[j]!);
    }
  }, thin);
  return { h, d };
}

test('patch products: row copies (1×1 conv, FC), the generic walk (3×3 stride 2) and the depthwise loops equal per-patch sums', async () => {
  const tf = await initTfjs();
  const same = (stride: number) => ({ padding: 'SAME', strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' });
  const cases: [CompensableLayer, number[], number][] = [
    [layerOf('CONV_2D', [1, 6, 5, 7], [3, 1, 1, 7], [1, 6, 5, 3], same(1)), [1, 6, 5, 7], 3],
    [layerOf('FULLY_CONNECTED', [4, 6], [2, 6], [4, 2], { fusedActivation: 'NONE' }), [4, 6], 1],
    [layerOf('CONV_2D', [1, 9, 7, 3], [4, 3, 3, 3], [1, 5, 4, 4], same(2)), [1, 9, 7, 3], 2],
    [layerOf('DEPTHWISE_CONV_2D', [1, 7, 6, 4], [1, 3, 3, 4], [1, 4, 3, 4], { ...same(2), depthMultiplier: 1 }), [1, 7, 6, 4], 1],
    [layerOf('DEPTHWISE_CONV_2D', [1, 8, 8, 3], [1, 3, 3, 3], [1, 8, 8, 3], { ...same(1), depthMultiplier: 1, dilationH: 2, dilationW: 2 }), [1, 8, 8, 3], 3],
  ];
  for (const [layer, shape, thin] of cases) {
    const size = shape.reduce((a, b) => a * b, 1);
    const seen = randomData(size, 7);
    const exact = seen.map((v, i) => v + (i % 3) * 0.01);
    const want = generic(layer, seen, exact, shape, thin);
    const k = layer.fanIn + 1;
    const h = Array.from({ length: layer.groups }, () => new Float64Array(k * k));
    const d: (Float64Array | undefined)[] = new Array(layer.groups).fill(undefined);
    if (layer.groups > 1) {
      addDepthwiseProducts(layer, seen, exact, shape, thin, h, d);
      for (const m of h) mirrorLower(m, k);
      // H alone, channel-inner (the path of samples whose inputs are exact), equals it too.
      const hc = new Float64Array(k * k * layer.groups);
      addDepthwiseGram(layer, seen, shape, thin, hc);
      const alone = Array.from({ length: layer.groups }, () => new Float64Array(k * k));
      addChannelInner(hc, k, layer.groups, alone);
      for (const m of alone) mirrorLower(m, k);
      for (let g = 0; g < layer.groups; g++) for (let i = 0; i < k * k; i++) assert.ok(Math.abs(alone[g]![i]! - want.h[g]![i]!) < 1e-4 * (1 + Math.abs(want.h[g]![i]!)), `channel-inner H[${g}][${i}]`);
    } else {
      const x = patchMatrix(layer, seen, shape, thin);
      const f = patchMatrix(layer, exact, shape, thin);
      for (let i = 0; i < f.data.length; i++) f.data[i] = f.data[i]! - x.data[i]!;
      addTransposedProduct(tf, x.data, undefined, x.rows, k, h[0]!);
      addTransposedProduct(tf, x.data, f.data, x.rows, k, (d[0] = new Float64Array(k * k)));
    }
    for (let g = 0; g < layer.groups; g++) {
      for (let i = 0; i < k * k; i++) {
        const tolerance = 1e-4 * (1 + Math.abs(want.h[g]![i]!));
        assert.ok(Math.abs(h[g]![i]! - want.h[g]![i]!) < tolerance, `${layer.node.op} H[${g}][${i}]: ${h[g]![i]} vs ${want.h[g]![i]}`);
        assert.ok(Math.abs((d[g]?.[i] ?? 0) - want.d[g]![i]!) < tolerance, `${layer.node.op} D[${g}][${i}]`);
      }
    }
  }
});

test('layer sums over many samples (one reused buffer, flushed when full; D rows zero for samples whose input is exact) equal per-patch sums', async () => {
  const tf = await initTfjs();
  // K = 601: the buffer holds 436 rows, a sample gives 64, so the products run in several batches.
  const layer = layerOf('CONV_2D', [1, 8, 8, 600], [3, 1, 1, 600], [1, 8, 8, 3], { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' });
  const shape = [1, 8, 8, 600];
  const k = layer.fanIn + 1;
  const sums = new LayerSums(layer);
  const thin = sums.thin(shape);
  const want = { h: new Float64Array(k * k), d: new Float64Array(k * k) };
  for (let s = 0; s < 10; s++) {
    const seen = randomData(8 * 8 * 600, 11 + s);
    // Samples 0–2 and 6 see exact inputs (no D rows), the others differ from float.
    const exact = s < 3 || s === 6 ? seen : seen.map((v, i) => v + ((i + s) % 5) * 0.01);
    sums.add(tf, seen, exact, shape);
    const one = generic(layer, seen, exact, shape, thin);
    for (let i = 0; i < k * k; i++) {
      want.h[i] += one.h[0]![i]!;
      want.d[i] += one.d[0]![i]!;
    }
  }
  const acc = sums.finish(tf);
  for (let i = 0; i < k * k; i++) {
    assert.ok(Math.abs(acc.h[0]![i]! - want.h[i]!) < 1e-3 * (1 + Math.abs(want.h[i]!)), `H[${i}]: ${acc.h[0]![i]} vs ${want.h[i]}`);
    assert.ok(Math.abs(acc.d[0]![i]! - want.d[i]!) < 1e-3 * (1 + Math.abs(want.d[i]!)), `D[${i}]: ${acc.d[0]![i]} vs ${want.d[i]}`);
  }
});
