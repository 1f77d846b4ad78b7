// The quantizer's stages on hand-built graphs: float islands, --int8-only, I/O types, int16x8,
// scale sharing, FP16 round trip, recipe checking, formulas. Numerics run in the IR interpreter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { executeGraph } from '../../src-main/graph/execute';
import { mainGraph, opHistogram } from '../../src-main/graph/model-graph';
import { ioQuantFormulas, parseRecipe, presetRecipe, quantizeModel, QuantizeInputError, QuantizeUnsupportedError } from '../../src-main/quantize/index';
import { asymmetricParams } from '../../src-main/quantize/math';
import { halfToFloat, toFloat16Bits } from '../../src-main/graph/float16';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { observeRanges } from './helpers';
import { islandModel, randomData } from './tiny-graphs';

const cfg = (mode: QuantizeConfig['mode'], inputType: QuantizeConfig['inputType'] = 'float32', outputType = inputType, int8Only = false): QuantizeConfig => ({ mode, inputType, outputType, int8Only });
const samples = Array.from({ length: 8 }, (_, i) => [randomData(192, 100 + i, 1)]);

test('asymmetric params follow the converter: 0..1 → 1/255, -128; ranges include zero', () => {
  assert.deepEqual(asymmetricParams({ min: 0, max: 1 }), { scale: Math.fround(1 / 255), zeroPoint: -128 });
  assert.deepEqual(asymmetricParams({ min: 0, max: 255 }), { scale: 1, zeroPoint: -128 });
  assert.equal(asymmetricParams({ min: 2, max: 4 }).zeroPoint, -128);
  assert.equal(asymmetricParams({ min: -4, max: -2 }).zeroPoint, 127);
});

test('float16 conversion rounds to nearest even and round-trips', () => {
  for (const v of [0, 1, -2.5, 65504, 1e-5, 3.14159]) assert.ok(Math.abs(halfToFloat(toFloat16Bits(v)) - v) <= Math.abs(v) * 1e-3 + 6e-8, String(v));
  assert.equal(toFloat16Bits(1 + 2 ** -11), toFloat16Bits(1)); // tie goes to even
  assert.equal(halfToFloat(toFloat16Bits(1e6)), Infinity);
});

test('an op without an integer kernel stays float between DEQUANTIZE and QUANTIZE', async () => {
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  const { model: q, report, warnings } = await quantizeModel(model, cfg('int8', 'int8'), { statistics });
  const g = mainGraph(q);
  assert.deepEqual(report.floatOps.map((f) => f.op), ['EXP']);
  assert.match(warnings.join(' '), /stay float/);
  const exp = g.nodes.find((n) => n.op === 'EXP')!;
  assert.equal(g.tensors.get(exp.inputs[0]!)!.dtype, 'float32');
  assert.equal(g.tensors.get(exp.outputs[0]!)!.dtype, 'float32');
  assert.deepEqual(opHistogram(g), { CONCATENATION: 1, CONV_2D: 1, DEQUANTIZE: 1, EXP: 1, FULLY_CONNECTED: 1, MAX_POOL_2D: 1, QUANTIZE: 1, RESHAPE: 1, SOFTMAX: 1 });
  // Concatenation shares one scale across inputs and output; the conv output adopts it.
  const cat = g.nodes.find((n) => n.op === 'CONCATENATION')!;
  const scales = [...cat.inputs, ...cat.outputs].map((n) => g.tensors.get(n!)!.quant!.scale[0]);
  assert.equal(new Set(scales).size, 1);
  // The simulated quantized graph still tracks the float one.
  const x = randomData(192, 7, 1);
  const [ref] = await executeGraph(model, [x]);
  const [sim] = await executeGraph(q, [x]);
  assert.ok(sqnrDb(ref!, sim!) > 20, `SQNR ${sqnrDb(ref!, sim!)}`);
});

test('--int8-only names every op that cannot be integer', async () => {
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  await assert.rejects(quantizeModel(model, cfg('int8', 'int8', 'int8', true), { statistics }), (e: Error) => e instanceof QuantizeUnsupportedError && /exp \(EXP: no int8 kernel/.test(e.message));
});

test('uint8 I/O: QUANTIZE at both edges, zero points shifted by 128, formulas printed', async () => {
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  const { model: q } = await quantizeModel(model, cfg('int8', 'uint8'), { statistics, inputRanges: new Map([['x', { min: 0, max: 1 }]]) });
  const g = mainGraph(q);
  const input = g.tensors.get('x')!;
  const output = g.tensors.get('probs')!;
  assert.deepEqual([input.dtype, input.quant!.zeroPoint[0], input.quant!.scale[0]], ['uint8', 0, Math.fround(1 / 255)]);
  assert.deepEqual([output.dtype, output.quant!.zeroPoint[0], output.quant!.scale[0]], ['uint8', 0, 1 / 256]);
  assert.equal(g.nodes[0]!.op, 'QUANTIZE');
  assert.equal(g.nodes.at(-1)!.op, 'QUANTIZE');
  assert.equal(g.tensors.get(g.nodes.at(-1)!.inputs[0]!)!.dtype, 'int8');
  const formulas = ioQuantFormulas(q);
  assert.equal(formulas[0]!.zeroPoint, 0);
  assert.match(formulas[0]!.formula, /^q = clamp\(round\(x \/ 0\.00392156886\) \+ 0, 0, 255\)/);
  assert.equal(formulas[1]!.formula, 'y = 0.00390625000 * (q - 0)');
});

test('int16x8: int16 symmetric activations, int8 weights, int64 bias', async () => {
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  const { model: q } = await quantizeModel(model, cfg('int16x8', 'int16'), { statistics });
  const g = mainGraph(q);
  const conv = g.nodes.find((n) => n.op === 'CONV_2D')!;
  const [x, w, b] = conv.inputs.map((n) => g.tensors.get(n!)!);
  assert.deepEqual([x!.dtype, w!.dtype, b!.dtype], ['int16', 'int8', 'int64']);
  for (const t of g.tensors.values()) if (t.dtype === 'int16') assert.equal(t.quant!.zeroPoint[0], 0);
  assert.deepEqual(g.tensors.get('probs')!.quant!.scale, [1 / 32768]);
  const xs = randomData(192, 9, 1);
  const [ref] = await executeGraph(model, [xs]);
  const [sim] = await executeGraph(q, [xs]);
  assert.ok(sqnrDb(ref!, sim!) > 30, `SQNR ${sqnrDb(ref!, sim!)}`);
});

test('fp16 output requantizes: FLOAT16 constants fold back to float32 first', async () => {
  const model = islandModel();
  const fp16 = (await quantizeModel(model, cfg('fp16'))).model;
  assert.equal(opHistogram(mainGraph(fp16)).DEQUANTIZE, 4);
  const again = await quantizeModel(fp16, cfg('dynamic'));
  assert.match(again.warnings.join(' '), /Expanded 4 FLOAT16 constants/);
  assert.equal(opHistogram(mainGraph(again.model)).DEQUANTIZE, undefined);
  const xs = randomData(192, 3, 1);
  const [ref] = await executeGraph(model, [xs]);
  const [half] = await executeGraph(fp16, [xs]);
  assert.ok(sqnrDb(ref!, half!) > 50, `fp16 SQNR ${sqnrDb(ref!, half!)}`);
});

test('recipes are checked; wrong I/O types and missing statistics are refused clearly', async () => {
  assert.throws(() => parseRecipe({ ...presetRecipe('int8'), rules: [{ ops: ['CONV_2D'], algorithm: 'magic' }] }), QuantizeInputError);
  await assert.rejects(quantizeModel(islandModel(), cfg('dynamic', 'int8')), /--input-type int8 is not available with --quantize dynamic/);
  await assert.rejects(quantizeModel(islandModel(), cfg('int8')), /needs calibration data/);
  await assert.rejects(quantizeModel(islandModel(), cfg('int8'), { statistics: new Map() }), /statistics are missing for \d+ tensor/);
});

test('validation inputs give per-output and per-layer float-vs-quantized errors', async () => {
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  const { report } = await quantizeModel(model, cfg('int8'), { statistics, validationInputs: [[randomData(192, 77, 1)], [randomData(192, 78, 1)]] });
  assert.equal(report.outputs?.[0]?.name, 'probs');
  assert.ok(report.outputs![0]!.sqnrDb > 20 && Number.isFinite(report.outputs![0]!.maxAbsError));
  const conv = report.layers.find((l) => l.op === 'CONV_2D')!;
  assert.ok(conv.outputSqnrDb! > 25 && conv.weightSqnrDb! > 30, JSON.stringify(conv));
  assert.ok(report.layers.filter((l) => l.outputSqnrDb !== undefined).length >= 6);
  assert.ok(report.timings.validateMs! >= 0 && report.timings.quantizeMs! >= 0);
});

test('every mode of the hand-built graph (with a float island) is written and runs in both real runtimes', async () => {
  const { writeTflite } = await import('../../src-main/tflite/writer');
  const { agreement, runAll } = await import('./accuracy');
  const model = islandModel();
  const statistics = await observeRanges(model, samples);
  const inputs = Array.from({ length: 4 }, (_, i) => randomData(192, 300 + i, 1));
  const floatBytes = writeTflite(model);
  // Floors vs float are loose (EXP amplifies errors on this toy); the runtime must match the
  // interpreter's simulation of the same quantized graph closely.
  const configs: [string, QuantizeConfig, number][] = [
    ['int8 int8-I/O', cfg('int8', 'int8'), 10],
    ['int8 uint8-I/O', cfg('int8', 'uint8'), 10],
    ['int8 float-I/O', cfg('int8'), 10],
    ['int16x8', cfg('int16x8', 'int16'), 10],
    ['fp16', cfg('fp16'), 50],
    ['dynamic', cfg('dynamic'), 25],
  ];
  for (const [name, config, floor] of configs) {
    const { model: q } = await quantizeModel(model, config, { statistics });
    const simulated: Float32Array[] = [];
    for (const x of inputs) simulated.push((await executeGraph(q, [x]))[0]!);
    for (const runtime of ['tflite-node', 'litert-js'] as const) {
      const reference = await runAll(runtime, floatBytes, inputs);
      const got = await runAll(runtime, writeTflite(q), inputs);
      const vsFloat = agreement(reference, got).sqnrDb;
      const vsSimulation = agreement(simulated, got).sqnrDb;
      assert.ok(vsFloat > floor, `${name} in ${runtime}: SQNR vs float ${vsFloat} (vs simulation ${vsSimulation})`);
      // Hybrid kernels also quantize activations on the fly, which the interpreter does not simulate.
      const simulationFloor = config.mode === 'dynamic' ? 20 : 30;
      assert.ok(vsSimulation > simulationFloor, `${name} in ${runtime}: SQNR vs the interpreter's simulation ${vsSimulation}`);
    }
  }
});
