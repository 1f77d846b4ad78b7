// Error-compensated weight rounding (--weight-rounding gptq) on hand-built graphs: the patch
// geometry each layer is solved over, the linear algebra, and the end result against nearest
// rounding, run in both real TFLite runtimes.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import { writeNpy } from '../../src-main/data/npy';
import { CancelledError } from '../../src-main/errors';
import { executeGraph } from '../../src-main/graph/execute';
import { initProject, readRun } from '../../src-main/projects/index';
import { recordConvertRun } from '../../src-main/projects/record-run';
import { mainGraph, type Graph, type ModelGraph } from '../../src-main/graph/model-graph';
import { cloneGraph } from '../../src-main/quantize/clone';
import { graphCuts } from '../../src-main/quantize/rounding/checkpoints';
import { compensateWeightRounding } from '../../src-main/quantize/rounding/compensate';
import { FP16_GRID, roundFloatConstantsToFp16 } from '../../src-main/quantize/transformations/fp16-constants';
import { halfToFloat, toFloat16Bits } from '../../src-main/graph/float16';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { presetRecipe, QuantizeInputError, quantizeModel } from '../../src-main/quantize/index';
import { compensateIntegerWeights } from '../../src-main/quantize/rounding/integer-weights';
import { choleskyLower, choleskySolve, inverseFromCholesky, inverseUpperCholesky } from '../../src-main/quantize/rounding/linear-algebra';
import { compensableLayer, type CompensableLayer } from '../../src-main/quantize/rounding/layer-inputs';
import { writeTflite } from '../../src-main/tflite/writer';
import { runAll } from './accuracy';
import { hasFixtures, imageFiles, loadImageCrops, observeRanges, readFixtureModel } from './helpers';
import { GraphBuilder, randomData } from './tiny-graphs';
import { smallNet, smoothImages } from './small-net';

const conv = (stride: number, dilation: number, padding: 'SAME' | 'VALID') => ({ padding, strideH: stride, strideW: stride, dilationH: dilation, dilationW: dilation, fusedActivation: 'NONE' });

/** A graph with one linear layer over an input of `inShape`. */
function single(op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED', inShape: number[], wShape: number[], outShape: number[], options: Record<string, unknown>): ModelGraph {
  const b = new GraphBuilder();
  const x = b.input('x', inShape);
  const biasLength = op === 'DEPTHWISE_CONV_2D' ? wShape[3]! : wShape[0]!;
  b.output(b.node(op, [x, b.constant('w', wShape), b.constant('b', [biasLength])], 'y', outShape, options));
  return b.model();
}

/** Recomputes the layer's output from its patches: y[pos, row] = w_row · patch (+ bias). */
function outputsFromPatches(layer: CompensableLayer, x: Float32Array, shape: number[]): Map<number, number[]> {
  const w = layer.weights.data as Float32Array;
  const bias = layer.bias?.data as Float32Array | undefined;
  const perRow = new Map<number, number[]>();
  layer.forEachPatch(x, shape, (group, patch) => {
    for (const row of layer.rowsOf(group)) {
      let s = bias ? bias[row]! : 0;
      layer.weightOffsets(row).forEach((at, i) => (s += w[at]! * patch[i]!));
      (perRow.get(row) ?? perRow.set(row, []).get(row)!).push(s);
    }
  });
  return perRow;
}

test('layer patches reproduce conv (SAME, stride 2, dilation 2), VALID conv, depthwise ×2 and fully-connected outputs', async () => {
  const cases = [
    single('CONV_2D', [1, 9, 7, 3], [4, 3, 3, 3], [1, 5, 4, 4], conv(2, 1, 'SAME')),
    single('CONV_2D', [1, 9, 9, 2], [3, 3, 3, 2], [1, 5, 5, 3], conv(1, 2, 'VALID')),
    single('DEPTHWISE_CONV_2D', [1, 6, 6, 3], [1, 3, 3, 6], [1, 3, 3, 6], { ...conv(2, 1, 'SAME'), depthMultiplier: 2 }),
    single('FULLY_CONNECTED', [1, 12], [5, 12], [1, 5], { fusedActivation: 'NONE', keepNumDims: false }),
  ];
  for (const model of cases) {
    const g = mainGraph(model);
    const layer = compensableLayer(g, g.nodes[0]!);
    assert.ok(typeof layer !== 'string', String(layer));
    const shape = g.tensors.get('x')!.shape;
    const x = randomData(shape.reduce((a, b) => a * b, 1), 7, 2);
    const [y] = await executeGraph(model, [x]);
    const channels = g.tensors.get('y')!.shape.at(-1)!;
    const perRow = outputsFromPatches(layer, x, shape);
    let worst = 0;
    for (const [row, values] of perRow) values.forEach((v, pos) => (worst = Math.max(worst, Math.abs(v - y![pos * channels + row]!))));
    assert.equal([...perRow.values()].reduce((n, v) => n + v.length, 0), y!.length, `${g.nodes[0]!.op}: one patch per output value`);
    assert.ok(worst < 1e-4, `${g.nodes[0]!.op}: max difference ${worst}`);
  }
});

test('Cholesky solve, inverse and the GPTQ factor on a symmetric positive-definite matrix', () => {
  const k = 9;
  const m = randomData(k * k, 3);
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let p = 0; p < k; p++) a[i * k + j] += m[i * k + p]! * m[j * k + p]!;
  for (let i = 0; i < k; i++) a[i * k + i] += 0.1;
  const l = choleskyLower(a, k);
  const inverse = inverseFromCholesky(l, k);
  const b = Float64Array.from(randomData(k, 4));
  const x = choleskySolve(l, b, k);
  for (let i = 0; i < k; i++) {
    let ax = 0;
    for (let j = 0; j < k; j++) {
      ax += a[i * k + j]! * x[j]!;
      let identity = 0;
      for (let p = 0; p < k; p++) identity += a[i * k + p]! * inverse[p * k + j]!;
      assert.ok(Math.abs(identity - (i === j ? 1 : 0)) < 1e-9);
    }
    assert.ok(Math.abs(ax - b[i]!) < 1e-9);
  }
  // GPTQ's factor: upper U with A⁻¹ = Uᵀ·U.
  const u = inverseUpperCholesky(a, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (j < i) assert.equal(u[i * k + j], 0, 'U is upper triangular');
      let s = 0;
      for (let p = 0; p < k; p++) s += u[p * k + i]! * u[p * k + j]!;
      assert.ok(Math.abs(s - inverse[i * k + j]!) < 1e-9, `(UᵀU)[${i}][${j}]`);
    }
  }
});

const stream = (samples: Float32Array[]) => async function* (): AsyncIterable<Float32Array[]> {
  for (const x of samples) yield [x];
};

async function outputSqnr(model: ModelGraph, quantized: ModelGraph, samples: Float32Array[]): Promise<number> {
  const ref: number[] = [];
  const out: number[] = [];
  for (const x of samples) {
    ref.push(...(await executeGraph(model, [x]))[0]!);
    out.push(...(await executeGraph(quantized, [x]))[0]!);
  }
  return sqnrDb(Float32Array.from(ref), Float32Array.from(out));
}

test('fp16 gptq: every constant FLOAT16, closer to float than nearest rounding on held-out data, in both runtimes', async (t) => {
  const calibration = smoothImages(32, 100);
  const heldOut = smoothImages(16, 900);
  const gptq = await quantizeModel(smallNet(), { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'gptq' }, { samples: stream(calibration) });
  const nearest = await quantizeModel(smallNet(), { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false });
  assert.deepEqual(gptq.report.weightRounding, { method: 'gptq', compensated: 4, samples: 32, skipped: [] });
  assert.equal(nearest.report.weightRounding?.method, 'nearest');
  const g = mainGraph(gptq.model);
  assert.deepEqual([...g.tensors.values()].filter((x) => x.data && x.dtype === 'float32').map((x) => x.name), []);
  // The chosen values differ from nearest rounding, yet every one is a float16 value.
  const w1 = g.tensors.get('w1')!.data as Uint16Array;
  const nearestW1 = mainGraph(nearest.model).tensors.get('w1')!.data as Uint16Array;
  assert.ok(w1.some((bits, i) => bits !== nearestW1[i]), 'gptq moved some weights off their nearest float16');
  assert.ok(Array.from(w1).every((bits) => toFloat16Bits(halfToFloat(bits)) === bits));
  const float = writeTflite(smallNet());
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const reference = await runAll(runtime, float, heldOut);
    const flat = (list: Float32Array[]): Float32Array => Float32Array.from(list.flatMap((a) => Array.from(a)));
    const a = sqnrDb(flat(reference), flat(await runAll(runtime, writeTflite(gptq.model), heldOut)));
    const b = sqnrDb(flat(reference), flat(await runAll(runtime, writeTflite(nearest.model), heldOut)));
    t.diagnostic(`${runtime}: fp16 gptq ${a.toFixed(1)} dB, nearest ${b.toFixed(1)} dB`);
    assert.ok(a > b + 3, `${runtime}: gptq ${a} dB vs nearest ${b} dB`);
  }
});

test('fp16 gptq passes that start at a checkpoint choose exactly the weights of passes from the graph inputs (one-tensor and residual cuts)', async (t) => {
  const graphs: [string, Graph, Float32Array[]][] = [['smallNet', mainGraph(smallNet()), smoothImages(12, 300)]];
  if (hasFixtures) {
    const resnet = mainGraph(readFixtureModel('mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite'));
    graphs.push(['resnet8', resnet, (await Promise.all(imageFiles('photos').slice(0, 4).map((f) => loadImageCrops(f, 32, 1)))).flat()]);
  } else t.diagnostic('resnet8 case skipped: ../shared/fixtures absent');
  for (const [name, reference, samples] of graphs) {
    const chosen = async (budget: number | undefined) => {
      const target = cloneGraph(reference);
      roundFloatConstantsToFp16(target);
      const result = await compensateWeightRounding(reference, target, () => FP16_GRID, stream(samples), { correctUpstream: true, ...(budget !== undefined ? { checkpointBudgetBytes: budget } : {}) });
      const constants = [...target.tensors.values()].filter((x) => x.data).map((x) => [x.name, Array.from(x.data as Float32Array)] as const);
      return { result, constants };
    };
    const fromInputs = await chosen(0);
    const fromCheckpoints = await chosen(undefined);
    assert.equal(fromInputs.result.passesFromCheckpoint, 0);
    // Every pass after the second starts at a cut behind the layers already final.
    assert.equal(fromCheckpoints.result.passesFromCheckpoint, fromCheckpoints.result.compensated.length - 2, name);
    assert.deepEqual(fromCheckpoints.result.compensated, fromInputs.result.compensated);
    assert.deepEqual(fromCheckpoints.constants, fromInputs.constants, `${name}: same weights either way`);
  }
});

test('graph cuts: the tensors crossing each point, a residual branch included; a dynamic size or state leaves none', () => {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 4, 4, 2]);
  const a = b.node('RELU', [x], 'a', [1, 4, 4, 2]);
  const c = b.node('TANH', [a], 'c', [1, 4, 4, 2]);
  b.output(b.node('ADD', [a, c], 'y', [1, 4, 4, 2], { fusedActivation: 'NONE' }));
  const g = mainGraph(b.model());
  assert.deepEqual(
    graphCuts(g).map((cut) => cut && [cut.tensors, cut.elements]),
    [[['a'], 32], [['a', 'c'], 64], [[], 0]],
  );
  g.tensors.get('c')!.shape = [1, -1, 4, 2];
  assert.equal(graphCuts(g)[1], undefined, 'a dynamic spatial size has no known cost');
  g.tensors.get('c')!.shape = [-1, 4, 4, 2];
  assert.deepEqual(graphCuts(g)[1]?.elements, 64, 'a dynamic batch holds one sample');
  g.tensors.set('state', { name: 'state', dtype: 'float32', shape: [1, 2], isVariable: true });
  assert.ok(graphCuts(g).every((cut) => cut === undefined), 'a graph with state has no cuts');
});

test('int8 gptq: same scales as nearest (the channel max is pinned), lower error on held-out data, runs in both runtimes', async (t) => {
  const calibration = smoothImages(32, 100);
  const heldOut = smoothImages(16, 900);
  const statistics = await observeRanges(smallNet(), calibration.map((x) => [x]));
  const config = { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true } as const;
  const nearest = await quantizeModel(smallNet(), config, { statistics });
  const gptq = await quantizeModel(smallNet(), { ...config, weightRounding: 'gptq' }, { statistics, samples: stream(calibration) });
  assert.equal(gptq.report.weightRounding?.compensated, 4);
  const weights = (m: ModelGraph) => [...mainGraph(m).tensors.values()].filter((x) => x.dtype === 'int8' && x.data);
  const [ours, theirs] = [weights(gptq.model), weights(nearest.model)];
  assert.deepEqual(ours.map((w) => w.quant!.scale), theirs.map((w) => w.quant!.scale));
  assert.ok(ours.some((w, i) => (w.data as Int8Array).some((v, k) => v !== (theirs[i]!.data as Int8Array)[k])), 'gptq changed some int8 values');
  const a = await outputSqnr(smallNet(), gptq.model, heldOut);
  const b = await outputSqnr(smallNet(), nearest.model, heldOut);
  t.diagnostic(`int8 (IR interpreter): gptq ${a.toFixed(1)} dB, nearest ${b.toFixed(1)} dB`);
  assert.ok(a > b, `gptq ${a} dB vs nearest ${b} dB`);
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const [first] = await runAll(runtime, writeTflite(gptq.model), heldOut.slice(0, 1));
    const [expected] = await executeGraph(gptq.model, [heldOut[0]!]);
    assert.ok(sqnrDb(expected!, first!) > 20, `${runtime} runs the gptq int8 file like the interpreter`);
  }
});

test('gptq leaves shared weights to nearest rounding, and needs calibration data', async () => {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 16]);
  const w = b.constant('w', [16, 16]);
  const h = b.node('FULLY_CONNECTED', [x, w, null], 'h', [1, 16], { fusedActivation: 'RELU', keepNumDims: false });
  b.output(b.node('FULLY_CONNECTED', [h, w, null], 'y', [1, 16], { fusedActivation: 'NONE', keepNumDims: false }));
  const samples = Array.from({ length: 8 }, (_, i) => randomData(16, 50 + i));
  const result = await quantizeModel(b.model(), { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'gptq' }, { samples: stream(samples) });
  assert.deepEqual(result.report.weightRounding?.skipped, [
    { node: 'h', reason: 'weights shared with another op' },
    { node: 'y', reason: 'weights shared with another op' },
  ]);
  await assert.rejects(
    quantizeModel(smallNet(), { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'gptq' }),
    (error: Error) => error instanceof QuantizeInputError && /--weight-rounding gptq needs calibration data/.test(error.message),
  );
});

/** smallNet as `NAME.tflite` and `count` of its calibration images as `NAME-calibration.npy`, in test-output. */
async function smallNetFiles(name: string, count: number, seed: number): Promise<{ dir: string; model: string; npy: string }> {
  const dir = join(import.meta.dirname, '..', '..', 'test-output', 'weight-rounding');
  mkdirSync(dir, { recursive: true });
  const model = join(dir, `${name}.tflite`);
  writeFileSync(model, writeTflite(smallNet()));
  const data = new Float32Array(count * 8 * 8 * 3);
  smoothImages(count, seed).forEach((x, i) => data.set(x, i * x.length));
  const npy = join(dir, `${name}-calibration.npy`);
  await writeNpy(npy, { dtype: 'float32', shape: [count, 8, 8, 3], data });
  return { dir, model, npy };
}

test('convert --weight-rounding gptq from a .npy: cancelling while weights are chosen writes nothing', async () => {
  const { dir, model, npy } = await smallNetFiles('small', 32, 100);
  const quantize = { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, weightRounding: 'gptq', calibration: { path: npy, samples: 32, method: 'minmax', seed: 0 } } as const;
  const done = await convertModel({ model, output: join(dir, 'small_int8.tflite'), quantize });
  assert.equal(done.quantization?.weightRounding?.compensated, 4);
  const output = join(dir, 'cancelled.tflite');
  const controller = new AbortController();
  const stages: string[] = [];
  await assert.rejects(
    convertModel({ model, output, quantize }, {
      signal: controller.signal,
      onProgress: (p) => {
        stages.push(p.message ?? p.stage);
        if (p.message?.startsWith('choosing int8 weights')) controller.abort();
      },
    }),
    CancelledError,
  );
  assert.ok(stages.some((m) => m.startsWith('choosing int8 weights')), stages.join(', '));
  assert.equal(existsSync(output), false, 'nothing written');
});

test('a project run records the rounding it used: nearest when none was asked (fp16 with calibration data included: gptq is not chosen silently), gptq when asked', async () => {
  const { dir, model, npy } = await smallNetFiles('small-for-runs', 16, 300);
  const project = join(mkdtempSync(join(tmpdir(), 'eq-rounding-')), 'proj');
  initProject(project);
  const calibration = { path: npy, samples: 16, method: 'minmax', seed: 0 } as const;
  for (const [mode, asked, expected] of [['fp16', undefined, 'nearest'], ['int8', undefined, 'nearest'], ['fp16', 'gptq', 'gptq']] as const) {
    const quantize = { mode, inputType: 'float32', outputType: 'float32', int8Only: false, calibration, ...(asked ? { weightRounding: asked } : {}) } as const;
    const request = { model, output: join(dir, `unused-${mode}.tflite`), quantize };
    const { run, result } = await recordConvertRun(project, request, (req, ctx) => convertModel({ ...req, output: join(ctx.folder, 'model.tflite') }));
    assert.equal(readRun(project, run.id).config.request?.quantize.weightRounding, expected, mode);
    assert.equal(result.quantization?.weightRounding?.method ?? 'nearest', expected, `${mode}: the conversion did what the run says`);
  }
});

test('int8 gptq leaves a layer whose recipe quantizes per channel along another axis than its output channels to nearest rounding', async () => {
  const model = smallNet();
  const g = mainGraph(model);
  const recipe = presetRecipe('int8');
  const sideways = { ...recipe, rules: [{ ops: ['CONV_2D'], algorithm: 'static', weights: { granularity: 'channel', axis: 3 } } as const, ...recipe.rules] };
  const before = Float32Array.from(g.tensors.get('w1')!.data as Float32Array);
  const report = await compensateIntegerWeights(mainGraph(smallNet()), g, sideways, () => true, stream(smoothImages(8, 100)));
  assert.deepEqual(report.skipped.map((s) => [s.node, s.reason]), [
    ['c1', 'per-channel axis 3 is not the output channel'],
    ['c2', 'per-channel axis 3 is not the output channel'],
  ]);
  assert.equal(report.compensated, 2, 'the depthwise and FC layers are still compensated');
  assert.deepEqual(g.tensors.get('w1')!.data, before, 'skipped weights are left for the quantizer');
});

