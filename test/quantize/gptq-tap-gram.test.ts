// The gptq H summed on the backend from the executor's live tensors (tap-gram.ts) equals the
// JavaScript reference (LayerSums over the read-back layer inputs, the same kept positions) within
// float32 rounding, for a dense layer, a 1×1 conv without bias, a depthwise 3×3 stride-2 SAME
// layer and a 3×3 stride-2 conv reading the graph input; and calibration's tap fills them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExecutor } from '../../src-main/graph/execute';
import { mainGraph } from '../../src-main/graph/model-graph';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { layerInputs, LayerSums } from '../../src-main/quantize/rounding/accumulate';
import { SampleSums } from '../../src-main/quantize/rounding/calibration-tap';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { gatherIndices, TapGram } from '../../src-main/quantize/rounding/tap-gram';
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
