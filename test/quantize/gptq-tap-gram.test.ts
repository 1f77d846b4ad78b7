// The gptq H summed on the backend from the executor's live tensors (tap-gram.ts) equals the
// JavaScript reference (LayerSums over the read-back layer inputs, the same kept positions) within
// float32 rounding, for a dense layer, a 1×1 conv without bias, a depthwise 3×3 stride-2 SAME
// layer and a 3×3 stride-2 conv reading the graph input; and calibration's tap fills them. Conv
// layers with K ≥ 128 take the lower triangle in column panels (`addLowerGram`): on wasm their
// H is the reference's bit for bit, over several reused batches with taps in the padding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExecutor } from '../../src-main/graph/execute';
import { mainGraph } from '../../src-main/graph/model-graph';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { layerInputs, LayerSums } from '../../src-main/quantize/rounding/accumulate';
import { SampleSums } from '../../src-main/quantize/rounding/calibration-tap';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { addLowerGram, gatherIndices, gramPanels, TapGram } from '../../src-main/quantize/rounding/tap-gram';
import { GraphBuilder, randomData } from './tiny-graphs';

const same = (stride: number) => ({ padding: 'SAME', strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, fusedActivation: 'RELU' });

/** x [1,32,24,3] → 3×3/2 conv → depthwise 3×3/2 → 1×1 conv (no bias) → reshape → FC. */
function net() {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 32, 24, 3]);
  const stem = b.node('CONV_2D', [x, b.constant('w0', [8, 3, 3, 3]), b.constant('b0', [8])], 'stem', [1, 16, 12, 8], same(2));
  const dw = b.node('DEPTHWISE_CONV_2D', [stem, b.constant('w1', [1, 3, 3, 8]), b.constant('b1', [8])], 'dw', [1, 8, 6, 8], { ...same(2), depthMultiplier: 1, fusedActivation: 'NONE' });
  const pw = b.node('CONV_2D', [dw, b.constant('w2', [16, 1, 1, 8]), null], 'pw', [1, 8, 6, 16], same(1));
  const flat = b.node('RESHAPE', [pw, b.constant('shape', [2], Int32Array.of(1, 768))], 'flat', [1, 768], { newShape: [1, 768] });
  b.output(b.node('FULLY_CONNECTED', [flat, b.constant('w3', [10, 768]), b.constant('b3', [10])], 'logits', [1, 10], { fusedActivation: 'NONE', keepNumDims: false }));
  const graph = mainGraph(b.model());
  const layers = graph.nodes.flatMap((node) => {
    const layer = compensableLayer(graph, node);
    return typeof layer === 'string' ? [] : [layer];
  });
  assert.equal(layers.length, 4);
  return { graph, layers };
}

/** |a − b| relative to the Gram scale √(H_ii·H_jj) of the entry (off-diagonal sums may cancel to ~0). */
function assertGramClose(got: Float64Array, want: Float64Array, k: number, what: string): number {
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const scale = Math.sqrt(Math.abs(want[i * k + i]! * want[j * k + j]!)) || 1;
      const error = Math.abs(got[i * k + j]! - want[i * k + j]!) / scale;
      worst = Math.max(worst, error);
      assert.ok(error <= 1e-5, `${what} H[${i}][${j}]: ${got[i * k + j]} vs ${want[i * k + j]}`);
    }
  }
  return worst;
}

for (const fromMemory of [true, false]) {
  const how = fromMemory ? 'patches copied from the backend memory' : 'patches gathered on the backend';
  test(`H summed from the live layer inputs (${how}) equals the JavaScript sums over the read-back inputs (dense, 1×1 no bias, depthwise 3×3/2 SAME, 3×3/2 conv)`, async () => {
    await sameSums(fromMemory);
  });
}

async function sameSums(fromMemory: boolean): Promise<void> {
  const tf = await initTfjs();
  const { graph, layers } = net();
  const samples = 6;
  const executor = await createExecutor(graph);
  const gram = new TapGram(tf, layers, samples, { fromMemory });
  const reference = layers.map((layer) => new LayerSums(layer, samples));
  const inputs = layerInputs(layers);
  try {
    for (let s = 0; s < samples; s++) {
      const x = randomData(32 * 24 * 3, 40 + s);
      const values = await executor.run([x], { outputs: inputs.names, tap: { names: gram.names, take: (name, value) => gram.take(name, value) } });
      reference.forEach((sums, i) => {
        const at = inputs.indexOf[i]!;
        sums.add(tf, values[at]!, values[at]!, executor.lastShapes[at]!);
      });
    }
    const got = gram.finish();
    layers.forEach((layer: CompensableLayer, i) => {
      const k = layer.fanIn + (layer.bias ? 1 : 0);
      const want = reference[i]!.finish(tf);
      assert.equal(got[i]!.h.length, layer.groups);
      for (let g = 0; g < layer.groups; g++) assertGramClose(got[i]!.h[g]!, want.h[g]!, k, `${layer.node.name}[${g}]`);
      // Not a sum of nothing: the bias entry counts the kept patches, the diagonal is positive.
      assert.ok(want.h[0]![0]! > 0, `${layer.node.name} H is empty`);
      if (layer.bias) assert.equal(got[i]!.h[0]![k * k - 1], want.h[0]![k * k - 1], `${layer.node.name}: patches counted`);
      // The patch count both keep (it tells rounding whether H can be full rank) is the one summed:
      // with a bias, H's last diagonal entry is Σ 1·1 over the patches of each group.
      assert.equal(got[i]!.patches, want.patches, `${layer.node.name}: patch counts`);
      if (layer.bias) assert.equal(got[i]!.patches, want.h[0]![k * k - 1], `${layer.node.name}: patch count vs H`);
    });
  } finally {
    gram.dispose();
    executor.dispose();
  }
}

test('the kept patches are thinned: fewer rows than positions where the budget asks for fewer, the padding read from a zero row', () => {
  const { layers } = net();
  const [stem, dw] = layers as [CompensableLayer, CompensableLayer];
  const all = gatherIndices(stem, [1, 32, 24, 3], 1);
  const thinned = gatherIndices(stem, [1, 32, 24, 3], 8);
  assert.equal(all.rows, 16 * 12);
  assert.ok(thinned.rows > 0 && thinned.rows < all.rows / 4, `${thinned.rows} of ${all.rows}`);
  assert.ok(all.padded, 'SAME padding at the border reads the zero row');
  assert.ok([...all.index].every((i) => i <= 32 * 24), 'indices within the input plus one zero row');
  const windows = gatherIndices(dw, [1, 16, 12, 8], 1);
  assert.equal(windows.taps, 9);
  assert.equal(windows.index.length, 9 * 8 * 6);
});

test("calibration's tap (SampleSums) sums H without asking for any layer input back", async () => {
  const tf = await initTfjs();
  const { graph, layers } = net();
  const executor = await createExecutor(graph);
  const sums = new SampleSums(tf, layers, [], 3);
  try {
    const options = sums.runOptions();
    assert.equal(options.outputs, undefined, 'no layer input returned');
    for (let s = 0; s < 3; s++) {
      await executor.run([randomData(32 * 24 * 3, 70 + s)], options);
    }
    const accs = sums.finish();
    assert.equal(accs.length, layers.length);
    for (const [i, acc] of accs.entries()) assert.ok(acc.h.every((h) => h[0]! > 0), `layer ${i} has an H`);
  } finally {
    sums.dispose();
    executor.dispose();
  }
});

/** x [1,24,24,400] → 1×1 conv (K = 401: 4 panels) → 3×3/2 SAME conv (K = 361: 3 panels). */
function wideNet() {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 24, 24, 400]);
  const pw = b.node('CONV_2D', [x, b.constant('w0', [40, 1, 1, 400]), b.constant('b0', [40])], 'pw', [1, 24, 24, 40], same(1));
  b.output(b.node('CONV_2D', [pw, b.constant('w1', [8, 3, 3, 40]), b.constant('b1', [8])], 'conv', [1, 12, 12, 8], same(2)));
  const graph = mainGraph(b.model());
  const layers = graph.nodes.map((node) => compensableLayer(graph, node) as CompensableLayer);
  assert.deepEqual(layers.map((l) => gramPanels(l.fanIn + 1)), [4, 3], 'both layers take panels');
  return { graph, layers };
}

test('conv H in column panels (K = 401 and 361, several reused batches, taps in the padding) equals the full products of the JavaScript reference', async () => {
  const tf = await initTfjs();
  const { graph, layers } = wideNet();
  // Told 2 samples: every position is kept, the 1×1 layer's 576 rows fill a batch (653 rows) per sample.
  const samples = 6;
  const executor = await createExecutor(graph);
  const gram = new TapGram(tf, layers, 2);
  const reference = layers.map((layer) => new LayerSums(layer, 2));
  const inputs = layerInputs(layers);
  try {
    for (let s = 0; s < samples; s++) {
      const values = await executor.run([randomData(24 * 24 * 400, 90 + s)], { outputs: inputs.names, tap: { names: gram.names, take: (name, value) => gram.take(name, value) } });
      reference.forEach((sums, i) => sums.add(tf, values[inputs.indexOf[i]!]!, values[inputs.indexOf[i]!]!, executor.lastShapes[inputs.indexOf[i]!]!));
    }
    const got = gram.finish();
    layers.forEach((layer, i) => {
      const k = layer.fanIn + 1;
      const want = reference[i]!.finish(tf).h[0]!;
      assert.equal(want[k * k - 1], layer.node.name === 'pw' ? samples * 576 : samples * 144, `${layer.node.name}: every position counted`);
      // The same batches of float32 products (XNNPACK sums each entry in the same order in a panel).
      if (tf.getBackend() === 'wasm') assert.deepEqual(got[i]!.h[0]!, want, `${layer.node.name}: H bit for bit`);
      else assertGramClose(got[i]!.h[0]!, want, k, layer.node.name);
    });
  } finally {
    gram.dispose();
    executor.dispose();
  }
});

test('the lower triangle of XᵀX in 1 to 4 column panels (odd K) is the full product\'s and within float32 rounding of float64 sums', async () => {
  const tf = await initTfjs();
  for (const [rows, k] of [[37, 3], [37, 11], [50, 97], [23, 331]] as const) {
    const x = randomData(rows * k, k);
    const full = tf.tidy(() => {
      const t = tf.tensor2d(x, [rows, k]);
      return tf.matMul(tf.transpose(t), t);
    });
    const product = full.dataSync() as Float32Array;
    full.dispose();
    const exact = new Float64Array(k * k);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) exact[i * k + j] += x[r * k + i]! * x[r * k + j]!;
    for (const panels of [1, 2, 3, 4]) {
      const into = new Float64Array(k * k);
      addLowerGram(tf, x, rows, k, into, panels);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const at = i * k + j;
          if (j > i) assert.equal(into[at], 0, `upper [${i}][${j}] untouched (k=${k}, ${panels} panels)`);
          else {
            if (tf.getBackend() === 'wasm') assert.equal(into[at], product[at], `k=${k}, ${panels} panels: [${i}][${j}] as the full product`);
            const scale = Math.sqrt(exact[i * k + i]! * exact[j * k + j]!);
            assert.ok(Math.abs(into[at]! - exact[at]!) <= 1e-5 * scale, `k=${k}, ${panels} panels: [${i}][${j}] ${into[at]} vs ${exact[at]}`);
          }
        }
      }
    }
  }
});
