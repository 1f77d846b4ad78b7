// Our quantizer on the official float files must give the official converter's structure:
// op histogram, tensor dtypes, per-channel axes (per op, input by input), bias scale = s_in·s_w.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { quantizeModel } from '../../src-main/quantize/index';
import { constantBytes } from '../../src-main/quantize/clone';
import { f32 } from '../../src-main/quantize/math';
import { fixture, hasFixtures, imageFiles, loadImage, observeRanges, readFixtureModel, structure } from './helpers';

const cfg = (mode: QuantizeConfig['mode'], io: QuantizeConfig['inputType'] = 'float32'): QuantizeConfig => ({
  mode,
  inputType: io,
  outputType: io,
  int8Only: false,
});

function assertSameStructure(ours: ModelGraph, official: ModelGraph): void {
  const a = structure(ours);
  const b = structure(official);
  assert.deepEqual(a.histogram, b.histogram);
  assert.deepEqual(a.signatures, b.signatures);
}

function assertBiasScales(model: ModelGraph): number {
  const g = mainGraph(model);
  let checked = 0;
  for (const n of g.nodes) {
    if (n.op !== 'CONV_2D' && n.op !== 'DEPTHWISE_CONV_2D' && n.op !== 'FULLY_CONNECTED') continue;
    const [sIn] = g.tensors.get(n.inputs[0]!)!.quant!.scale;
    const w = g.tensors.get(n.inputs[1]!)!.quant!;
    const b = g.tensors.get(n.inputs[2]!)!.quant!;
    b.scale.forEach((s, c) => assert.equal(s, f32(f32(sIn!) * f32(w.scale[c]!)), `${n.name} channel ${c}`));
    checked++;
  }
  return checked;
}

function ad01Windows(): Float32Array[][] {
  const bin = readFileSync(fixture('mlperf-tiny', 'ad01', 'dcase_logmel_200x128_f32.bin'));
  const frames = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const windows: Float32Array[][] = [];
  for (let s = 0; s + 5 <= 200; s++) windows.push([frames.slice(s * 128, (s + 5) * 128)]);
  return windows;
}

test('vww int8 (int8 I/O) has the official structure, bias scales and constant bytes', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const float = readFixtureModel('mlperf-tiny', 'vww', 'vww_96_float.tflite');
  const samples = await Promise.all(imageFiles('photos', 'coral').map(async (f) => [await loadImage(f, 96, 1 / 255)]));
  const { model, report } = await quantizeModel(float, cfg('int8', 'int8'), { statistics: await observeRanges(float, samples) });
  const official = readFixtureModel('mlperf-tiny', 'vww', 'vww_96_int8.tflite');
  assertSameStructure(model, official);
  assert.equal(assertBiasScales(model), 28);
  assert.equal(constantBytes(mainGraph(model)), constantBytes(mainGraph(official)));
  assert.ok(report.checks.every((c) => c.passed));
  const input = mainGraph(model).tensors.get(mainGraph(model).inputs[0]!)!.quant!;
  assert.deepEqual([input.scale[0], input.zeroPoint[0]], [f32(1 / 255), -128]);
});

test('resnet8 int8 (0..255 input) has the official structure', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const float = readFixtureModel('mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite');
  const samples = await Promise.all(imageFiles('photos', 'coral').map(async (f) => [await loadImage(f, 32, 1)]));
  const { model } = await quantizeModel(float, cfg('int8', 'int8'), {
    statistics: await observeRanges(float, samples),
    inputRanges: new Map([[mainGraph(float).inputs[0]!, { min: 0, max: 255 }]]),
  });
  const official = readFixtureModel('mlperf-tiny', 'resnet8', 'pretrainedResnet_quant.tflite');
  assertSameStructure(model, official);
  assertBiasScales(model);
  const input = mainGraph(model).tensors.get(mainGraph(model).inputs[0]!)!.quant!;
  assert.deepEqual([input.scale[0], input.zeroPoint[0]], [1, -128]);
});

test('ad01 int8, int8 with float I/O and dynamic range have the official structures', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const float = readFixtureModel('mlperf-tiny', 'ad01', 'ad01_fp32.tflite');
  const statistics = await observeRanges(float, ad01Windows().slice(0, 100));
  const int8 = await quantizeModel(float, cfg('int8', 'int8'), { statistics });
  assertSameStructure(int8.model, readFixtureModel('mlperf-tiny', 'ad01', 'ad01_int8.tflite'));
  assertBiasScales(int8.model);
  const floatIo = await quantizeModel(float, cfg('int8'), { statistics });
  assertSameStructure(floatIo.model, readFixtureModel('mlperf-tiny', 'ad01', 'ad01_int8_float_io.tflite'));
  const g = mainGraph(floatIo.model);
  assert.equal(g.nodes[0]!.op, 'QUANTIZE');
  assert.equal(g.nodes.at(-1)!.op, 'DEQUANTIZE');
  assert.deepEqual([g.tensors.get(g.inputs[0]!)!.dtype, g.tensors.get(g.outputs[0]!)!.dtype], ['float32', 'float32']);
  const dynamic = await quantizeModel(float, cfg('dynamic'));
  assertSameStructure(dynamic.model, readFixtureModel('mlperf-tiny', 'ad01', 'ad01_dynamic_range.tflite'));
});

test('fp16: every float constant becomes FLOAT16 + DEQUANTIZE, half the constant bytes', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  for (const path of [['vww', 'vww_96_float.tflite'], ['resnet8', 'pretrainedResnet.tflite'], ['ad01', 'ad01_fp32.tflite']]) {
    const float = readFixtureModel('mlperf-tiny', ...path);
    const { model } = await quantizeModel(float, cfg('fp16'));
    const g = mainGraph(model);
    const floatConstants = [...mainGraph(float).tensors.values()].filter((x) => x.data && x.dtype === 'float32').length;
    const dequantize = g.nodes.filter((n) => n.op === 'DEQUANTIZE');
    assert.equal(dequantize.length, floatConstants, path[1]);
    for (const n of dequantize) assert.equal(g.tensors.get(n.inputs[0]!)!.dtype, 'float16');
    assert.ok(![...g.tensors.values()].some((x) => x.data && x.dtype === 'float32'));
    const ratio = constantBytes(g) / constantBytes(mainGraph(float));
    assert.ok(Math.abs(ratio - 0.5) < 0.01, `${path[1]} ratio ${ratio}`);
  }
});

test('recordWeightRanges: false drops the per-channel min/max (newer converter layout)', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const { presetRecipe } = await import('../../src-main/quantize/index');
  const { writeTflite } = await import('../../src-main/tflite/writer');
  const float = readFixtureModel('mlperf-tiny', 'vww', 'vww_96_float.tflite');
  const statistics = await observeRanges(float, [[new Float32Array(96 * 96 * 3).fill(0.5)]]);
  const withRanges = await quantizeModel(float, cfg('int8', 'int8'), { statistics });
  const without = await quantizeModel(float, cfg('int8', 'int8'), { statistics, recipe: { ...presetRecipe('int8'), recordWeightRanges: false } });
  const w = (m: ModelGraph) => mainGraph(m).tensors.get(mainGraph(m).nodes[0]!.inputs[1]!)!.quant!;
  assert.equal(w(withRanges.model).min?.length, 8);
  assert.equal(w(without.model).min, undefined);
  const saved = writeTflite(withRanges.model).length - writeTflite(without.model).length;
  assert.ok(saved > 20000, `saved ${saved} B`);
});

test('requantize: a dynamic-range file expands its int8 weights and goes to int8; an int8 file is refused', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const dynamic = readFixtureModel('mlperf-tiny', 'ad01', 'ad01_dynamic_range.tflite');
  const statistics = await observeRanges(readFixtureModel('mlperf-tiny', 'ad01', 'ad01_fp32.tflite'), ad01Windows().slice(0, 50));
  const { model, warnings } = await quantizeModel(dynamic, cfg('int8', 'int8'), { statistics });
  assert.match(warnings.join(' '), /Expanded 10 int8 weights/);
  assertSameStructure(model, readFixtureModel('mlperf-tiny', 'ad01', 'ad01_int8.tflite'));
  await assert.rejects(
    quantizeModel(readFixtureModel('mlperf-tiny', 'ad01', 'ad01_int8.tflite'), cfg('int8', 'int8'), { statistics }),
    /already integer-quantized .*quantize its float model instead/,
  );
});
