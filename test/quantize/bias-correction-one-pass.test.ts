// Bias correction takes its mean layer inputs from calibration's own pass: one float forward per
// calibration sample (calibration's, counted by its per-run progress; the sample stream is never
// read), every calibration sample used, the calibration statistics bit-identical to a run
// without the tap, the patch sums on 2 workers equal to one thread's, and the corrected biases
// equal to those of bias correction's own pass over the same samples. The patch sums taken on the
// backend (input-means.ts) equal the sum of every patch the layer reads, for strides, dilations,
// both paddings, depthwise multipliers, batches, FC rows and inputs of two sizes.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../src-main/data/npy';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { inputSpecs, openCalibrationSamples, openDataset } from '../../src-main/quantize/calibration/index';
import { quantizeModel } from '../../src-main/quantize/index';
import { correctableLayers, emptyPatchSums, type PatchSums } from '../../src-main/quantize/rounding/bias-correction';
import { InputMeans, measureMeanPatches } from '../../src-main/quantize/rounding/input-means';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { createExecutor } from '../../src-main/graph/execute';
import type { GptqTap } from '../../src-main/quantize/rounding/calibration-tap';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { observeRanges } from './helpers';
import { quantizeCountingPasses, statisticsWithTap } from './counted-pass';
import { smallNet, smoothImages } from './small-net';
import { GraphBuilder, randomData } from './tiny-graphs';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'bias-correction-one-pass');

async function calibrationFile(name: string, samples: Float32Array[]): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const data = new Float32Array(samples.length * 192);
  samples.forEach((x, i) => data.set(x, i * 192));
  const npy = join(OUT, `${name}.npy`);
  await writeNpy(npy, { dtype: 'float32', shape: [samples.length, 8, 8, 3], data });
  return npy;
}

const meanLayers = (model: ModelGraph): CompensableLayer[] => {
  const g = mainGraph(model);
  return correctableLayers(g, g.nodes).layers;
};

const biasesOf = (model: ModelGraph): Record<string, number[]> => {
  const g = mainGraph(model);
  return Object.fromEntries(g.nodes.filter((n) => n.inputs[2]).map((n) => [n.name, Array.from(g.tensors.get(n.inputs[2]!)!.data as ArrayLike<number>)]));
};

test('int8 bias correction: one float forward per calibration sample, all samples used, the same biases as its own pass', async () => {
  const images = smoothImages(40, 500);
  const spec = { path: await calibrationFile('calibration', images), samples: 40, method: 'minmax', seed: 0 } as const;
  const config = { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: spec, biasCorrection: true } as const;
  const { result: tapped, calibrationForwards, samplesRead } = await quantizeCountingPasses(smallNet, config, spec);
  assert.equal(calibrationForwards, 40, 'calibration ran each sample once');
  assert.equal(samplesRead, 0, 'no second pass over the samples');
  assert.deepEqual(tapped.report.biasCorrection, { corrected: 4, samples: 40, skipped: [] });

  // The same samples (the dataset's order) through bias correction's own pass: ranges given, so no calibration pass to tap.
  const order: Float32Array[] = [];
  const again = await openCalibrationSamples(spec, smallNet());
  for await (const [x] of again.samples()) order.push(x!);
  await again.close();
  const statistics = await observeRanges(smallNet(), order.map((x) => [x]));
  let ownReads = 0;
  const own = await quantizeModel(smallNet(), config, { statistics, samples: async function* () {
    for (const x of order) {
      ownReads++;
      yield [x];
    }
  } });
  assert.equal(ownReads, 40);
  assert.deepEqual(own.report.biasCorrection, tapped.report.biasCorrection);
  const [a, b] = [biasesOf(tapped.model), biasesOf(own.model)];
  assert.deepEqual(Object.keys(a), Object.keys(b));
  for (const name of Object.keys(a)) assert.deepEqual(a[name], b[name], `${name}: the stored int32 biases are the same`);
});

test('calibration with the bias-correction tap: statistics bit-identical to without it; patch sums on 1 and 2 workers equal its own pass', async () => {
  const images = smoothImages(24, 700);
  const npy = await calibrationFile('tap', images);
  const graph = mainGraph(smallNet());
  const layers = meanLayers(smallNet());
  const own = await measureMeanPatches(graph, layers, async function* () {
    const dataset = await openDataset(npy, inputSpecs(graph), { samples: 24, seed: 0 });
    try {
      for await (const s of dataset.samples()) yield s.inputs;
    } finally {
      await dataset.close();
    }
  });
  assert.equal(own.count, 24);
  const collect = (method: 'minmax' | 'percentile', workers: number, tap?: GptqTap) => statisticsWithTap(graph, npy, 24, method, workers, tap);
  for (const method of ['minmax', 'percentile'] as const) {
    const plain = await collect(method, 1);
    for (const workers of method === 'percentile' ? [1, 2] : [1]) {
      const tap: GptqTap = { target: graph, layers: [], means: meanLayers(smallNet()) };
      assert.deepEqual(await collect(method, workers, tap), plain, `${method}, ${workers} worker(s): calibration statistics unchanged by the tap`);
      assert.equal(tap.meanSums?.count, 24);
      assert.deepEqual(tap.meanSums!.layers, own.layers);
      tap.meanSums!.sums.forEach((s, i) => {
        const expected = own.sums[i]!;
        assert.deepEqual([...s.counts], [...expected.counts], `${own.layers[i]}: patches counted`);
        const scale = expected.sums.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const worst = expected.sums.reduce((m, v, j) => Math.max(m, Math.abs(v - s.sums[j]!)), 0);
        // The inputs are summed on the backend in float32 (input-means.ts), in another order on 2 workers.
        assert.ok(scale > 0 && worst <= 1e-6 * scale, `${method}, ${workers} worker(s), ${own.layers[i]}: largest difference ${worst} of ${scale}`);
      });
    }
  }
});

/** Σ of every patch `layer` reads from `values` (its own patch walk: the reference). */
function everyPatch(layer: CompensableLayer, values: Float32Array, shape: readonly number[], into: PatchSums): void {
  layer.forEachPatch(values, shape, (group, patch) => {
    for (let k = 0; k < layer.fanIn; k++) into.sums[group * layer.fanIn + k] += patch[k]!;
    into.counts[group]++;
  });
}

/** The patch sums InputMeans takes on the backend for `samples` fed one by one (each disposed after, as the executor does). */
async function backendSums(layer: CompensableLayer, samples: { shape: number[]; values: Float32Array }[]): Promise<PatchSums> {
  const tf = await initTfjs();
  const means = new InputMeans(tf, [layer]);
  try {
    for (const { shape, values } of samples) {
      const t = tf.tensor(values, shape);
      means.tap().take(layer.node.inputs[0]!, t);
      t.dispose();
    }
    return means.finish()[0]!;
  } finally {
    means.dispose();
  }
}

function assertSumsEqual(got: PatchSums, expected: PatchSums, what: string): void {
  assert.deepEqual([...got.counts], [...expected.counts], `${what}: patches counted`);
  // The backend sums in float32.
  const scale = expected.sums.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  got.sums.forEach((v, k) => assert.ok(Math.abs(v - expected.sums[k]!) <= 1e-6 * scale, `${what} element ${k}: ${v} vs ${expected.sums[k]}`));
}

test('patch sums on the backend equal the sum of every patch (strides, dilation, SAME / VALID, offsets that read only padding, batches, depthwise multiplier, FC rows)', async () => {
  const cases: { op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED'; input: number[]; weights: number[]; options: Record<string, unknown> }[] = [
    { op: 'CONV_2D', input: [2, 9, 7, 3], weights: [4, 3, 3, 3], options: { padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1 } },
    { op: 'CONV_2D', input: [1, 10, 11, 2], weights: [3, 3, 2, 2], options: { padding: 'VALID', strideH: 1, strideW: 3, dilationH: 2, dilationW: 1 } },
    { op: 'CONV_2D', input: [1, 8, 8, 5], weights: [2, 5, 5, 5], options: { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 2 } },
    { op: 'DEPTHWISE_CONV_2D', input: [1, 9, 9, 3], weights: [1, 3, 3, 6], options: { padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, depthMultiplier: 2 } },
    { op: 'DEPTHWISE_CONV_2D', input: [1, 7, 6, 4], weights: [1, 2, 3, 4], options: { padding: 'VALID', strideH: 1, strideW: 2, dilationH: 2, dilationW: 1, depthMultiplier: 1 } },
    { op: 'CONV_2D', input: [2, 1, 4, 3], weights: [2, 3, 3, 3], options: { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 } },
    { op: 'DEPTHWISE_CONV_2D', input: [2, 2, 2, 2], weights: [1, 5, 5, 2], options: { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 2, dilationW: 2, depthMultiplier: 1 } },
    { op: 'CONV_2D', input: [1, 6, 6, 8], weights: [4, 1, 1, 8], options: { padding: 'VALID', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1 } },
    { op: 'FULLY_CONNECTED', input: [5, 12], weights: [3, 12], options: { keepNumDims: false } },
  ];
  for (const [i, c] of cases.entries()) {
    const b = new GraphBuilder();
    const x = b.input('x', c.input);
    const count = c.weights.reduce((p, v) => p * v, 1);
    const rows = c.op === 'DEPTHWISE_CONV_2D' ? c.weights[3]! : c.weights[0]!;
    b.output(b.node(c.op, [x, b.constant('w', c.weights, randomData(count, i)), b.constant('b', [rows])], 'y', [1], { ...c.options, fusedActivation: 'NONE' }));
    const g = mainGraph(b.model());
    const layer = compensableLayer(g, g.nodes[0]!);
    assert.ok(typeof layer !== 'string', `case ${i}: ${String(layer)}`);
    const samples = [0, 1, 2].map((s) => ({ shape: c.input, values: randomData(c.input.reduce((p, v) => p * v, 1), 100 + 10 * i + s) }));
    const expected = emptyPatchSums(layer);
    for (const { shape, values } of samples) everyPatch(layer, values, shape, expected);
    assertSumsEqual(await backendSums(layer, samples), expected, `case ${i} (${c.op})`);
  }
});

test('input means on the backend: inputs of two sizes in one pass, and a tapped input the run never computed', async () => {
  const b = new GraphBuilder();
  const x = b.input('x', [1, -1, -1, 3]);
  b.output(b.node('CONV_2D', [x, b.constant('w', [4, 3, 3, 3], randomData(108, 7)), b.constant('b', [4])], 'y', [1], { padding: 'SAME', strideH: 2, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' }));
  const g = mainGraph(b.model());
  const layer = compensableLayer(g, g.nodes[0]!);
  assert.ok(typeof layer !== 'string');
  const samples = [...Array.from({ length: 3 }, () => [1, 9, 7, 3]), [1, 6, 5, 3], [1, 9, 7, 3]].map((shape, i) => ({ shape, values: randomData(shape.reduce((p, v) => p * v, 1), 300 + i) }));
  const expected = emptyPatchSums(layer);
  for (const { shape, values } of samples) everyPatch(layer, values, shape, expected);
  assertSumsEqual(await backendSums(layer, samples), expected, 'two sizes');
  // The weights are a constant: no node computes them, so a run tapping them fails, naming them.
  const fixed = new GraphBuilder();
  const fx = fixed.input('x', [1, 9, 7, 3]);
  fixed.output(fixed.node('CONV_2D', [fx, fixed.constant('w', [4, 3, 3, 3], randomData(108, 7)), fixed.constant('b', [4])], 'y', [1, 5, 7, 4], { padding: 'SAME', strideH: 2, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'NONE' }));
  const executor = await createExecutor(fixed.model());
  try {
    await assert.rejects(executor.run([randomData(9 * 7 * 3, 1)], { tap: { names: ['x', 'w'], take: () => undefined }, outputs: [] }), /Tensor 'w' to tap is not computed by the graph/);
  } finally {
    executor.dispose();
  }
});
