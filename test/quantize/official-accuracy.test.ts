// Our quantized files against the official converter's, from the same float weights, in the
// same real TFLite runtime on held-out real data: size, top-1 agreement and SQNR vs float.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { quantizeModel } from '../../src-main/quantize/index';
import { halfToFloat, toFloat16Bits } from '../../src-main/graph/float16';
import type { RuntimeName } from '../../src-main/runtime/index';
import { writeTflite } from '../../src-main/tflite/writer';
import { agreement, runAll } from './accuracy';
import { ad01Windows, fixture, hasFixtures, imageFiles, loadImageCrops, observeRanges, readFixtureModel, structure, withMirrors } from './helpers';

// Both real runtimes: their int8 kernels round differently, and with ~100 held-out samples one
// flipped image is a point, so top-1 is compared on the mean over the two runtimes.
const RUNTIMES: RuntimeName[] = ['tflite-node', 'litert-js'];
const RUNTIME: RuntimeName = 'tflite-node';
const cfg = (mode: QuantizeConfig['mode'], io: QuantizeConfig['inputType'] = 'float32'): QuantizeConfig => ({ mode, inputType: io, outputType: io, int8Only: mode === 'int8' });
const bytesOf = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(fixture(...parts)));

interface Case {
  name: string;
  dir: string;
  float: string;
  official: string;
  calibration: () => Promise<Float32Array[]>;
  heldOut: () => Promise<Float32Array[]>;
  inputRange?: { min: number; max: number };
  classifier: boolean;
}

const images = (size: number, scale: number, ...dirs: string[]) => async () => (await Promise.all(imageFiles(...dirs).map((f) => loadImageCrops(f, size, scale)))).flat();
// Held-out photos: 5 crops of each of the 20 litert_224 photos, and their mirror images (200
// samples: with 100, one image is a point and the comparison is mostly noise).
const heldOutImages = (size: number, scale: number) => async () => withMirrors(await images(size, scale, 'litert_224')(), size);

const CASES: Case[] = [
  { name: 'vww', dir: 'vww', float: 'vww_96_float.tflite', official: 'vww_96_int8.tflite', calibration: images(96, 1 / 255, 'photos', 'coral'), heldOut: heldOutImages(96, 1 / 255), inputRange: { min: 0, max: 1 }, classifier: true },
  { name: 'resnet8', dir: 'resnet8', float: 'pretrainedResnet.tflite', official: 'pretrainedResnet_quant.tflite', calibration: images(32, 1, 'photos', 'coral'), heldOut: heldOutImages(32, 1), inputRange: { min: 0, max: 255 }, classifier: true },
  { name: 'ad01', dir: 'ad01', float: 'ad01_fp32.tflite', official: 'ad01_int8.tflite', calibration: async () => ad01Windows(0, 100), heldOut: async () => ad01Windows(100, 196), classifier: false },
];

for (const c of CASES) {
  test(`${c.name}: int8 file is the official size (±2%) and no worse than the official int8 (−1 point, −1 dB); with --weight-rounding gptq in each runtime; bias correction (the default) no worse than without it`, async (t) => {
    if (!hasFixtures) return t.skip('../shared/fixtures absent');
    const float = readFixtureModel('mlperf-tiny', c.dir, c.float);
    const calibration = await c.calibration();
    const statistics = await observeRanges(float, calibration.map((x) => [x]));
    const inputRanges = c.inputRange ? new Map([[mainGraph(float).inputs[0]!, c.inputRange]]) : undefined;
    const samples = async function* (): AsyncIterable<Float32Array[]> {
      for (const x of calibration) yield [x];
    };
    // Nearest rounding as the official converter does it (no bias correction), and the default
    // (nearest + bias correction, which runs where calibration samples are given).
    const nearest = await quantizeModel(float, { ...cfg('int8', 'int8'), biasCorrection: false }, { statistics, inputRanges });
    const corrected = await quantizeModel(float, cfg('int8', 'int8'), { statistics, inputRanges, samples });
    assert.ok((corrected.report.biasCorrection?.corrected ?? 0) > 0, 'bias correction runs by default');
    const gptq = await quantizeModel(float, { ...cfg('int8', 'int8'), weightRounding: 'gptq' }, { statistics, inputRanges, samples });
    assert.deepEqual(gptq.report.weightRounding?.skipped, []);
    assert.deepEqual(structure(gptq.model), structure(nearest.model), 'gptq changes weight values only, not the layout');
    const official = bytesOf('mlperf-tiny', c.dir, c.official);
    const files = { nearest: writeTflite(nearest.model), gptq: writeTflite(gptq.model), corrected: writeTflite(corrected.model) };
    for (const [name, bytes] of Object.entries(files)) assert.ok(Math.abs(bytes.length / official.length - 1) <= 0.02, `${name}: size ${bytes.length} vs official ${official.length}`);
    const heldOut = await c.heldOut();
    for (const runtime of RUNTIMES) {
      const reference = await runAll(runtime, bytesOf('mlperf-tiny', c.dir, c.float), heldOut);
      const a = agreement(reference, await runAll(runtime, files.nearest, heldOut));
      const g = agreement(reference, await runAll(runtime, files.gptq, heldOut));
      const b = agreement(reference, await runAll(runtime, official, heldOut));
      const d = agreement(reference, await runAll(runtime, files.corrected, heldOut));
      t.diagnostic(`${runtime} on ${heldOut.length} held-out: ours top1 ${a.top1.toFixed(1)}% SQNR ${a.sqnrDb.toFixed(2)} dB; with bias correction (default) ${d.top1.toFixed(1)}% ${d.sqnrDb.toFixed(2)} dB; gptq ${g.top1.toFixed(1)}% ${g.sqnrDb.toFixed(2)} dB; official ${b.top1.toFixed(1)}% ${b.sqnrDb.toFixed(2)} dB; size ${files.nearest.length}/${files.gptq.length}/${official.length}`);
      assert.ok(a.sqnrDb >= b.sqnrDb - 1, `${runtime}: SQNR ${a.sqnrDb} vs ${b.sqnrDb}`);
      assert.ok(g.sqnrDb >= b.sqnrDb - 1, `${runtime}: gptq SQNR ${g.sqnrDb} vs ${b.sqnrDb}`);
      assert.ok(d.sqnrDb >= b.sqnrDb - 1, `${runtime}: bias-corrected SQNR ${d.sqnrDb} vs official ${b.sqnrDb}`);
      // Measured 2026-12-03: +2.1 to +9.1 dB, except resnet8 in LiteRT.js (−0.10 dB, within the runtimes' own 0.2 dB spread).
      assert.ok(d.sqnrDb >= a.sqnrDb - 0.3, `${runtime}: bias-corrected SQNR ${d.sqnrDb} vs without ${a.sqnrDb}`);
      if (c.classifier) {
        assert.ok(a.top1 >= b.top1 - 1, `${runtime}: top-1 ${a.top1} vs ${b.top1}`);
        assert.ok(g.top1 >= b.top1 - 1, `${runtime}: gptq top-1 ${g.top1} vs ${b.top1}`);
        // resnet8 loses 1 point (2 of 200 images) with bias correction in each runtime: against
        // our own file without it, not the official one (tflite-node: 90.0% vs official 92.0%).
        assert.ok(d.top1 >= a.top1 - 1, `${runtime}: bias-corrected top-1 ${d.top1} vs without ${a.top1}`);
      }
    }
  });

  test(`${c.name}: fp16 file is 50% ± 3% of float with SQNR ≥ 60 dB (gptq rounding on calibration data); nearest rounding is FP16 itself`, async (t) => {
    if (!hasFixtures) return t.skip('../shared/fixtures absent');
    const floatBytes = bytesOf('mlperf-tiny', c.dir, c.float);
    const calibration = await c.calibration();
    const samples = async function* (): AsyncIterable<Float32Array[]> {
      for (const x of calibration) yield [x];
    };
    const gptq = await quantizeModel(readFixtureModel('mlperf-tiny', c.dir, c.float), { ...cfg('fp16'), weightRounding: 'gptq' }, { samples });
    const nearest = await quantizeModel(readFixtureModel('mlperf-tiny', c.dir, c.float), { ...cfg('fp16'), weightRounding: 'nearest' });
    assert.equal(gptq.report.weightRounding?.method, 'gptq');
    assert.deepEqual(gptq.report.weightRounding?.skipped, []);
    const half = writeTflite(gptq.model);
    const plain = writeTflite(nearest.model);
    for (const model of [gptq.model, nearest.model]) {
      const g = mainGraph(model);
      const constants = [...g.tensors.values()].filter((x) => x.data);
      assert.deepEqual(constants.filter((x) => x.dtype === 'float32').map((x) => x.name), [], 'no float32 constant is left');
      const halves = constants.filter((x) => x.dtype === 'float16').length;
      assert.ok(halves > 0 && g.nodes.filter((n) => n.op === 'DEQUANTIZE').length === halves, 'one DEQUANTIZE per FLOAT16 constant');
    }
    const ratio = half.length / floatBytes.length;
    const heldOut = await c.heldOut();
    const reference = await runAll(RUNTIME, floatBytes, heldOut);
    const a = agreement(reference, await runAll(RUNTIME, half, heldOut));
    const b = agreement(reference, await runAll(RUNTIME, plain, heldOut));
    t.diagnostic(`fp16 size ratio ${ratio.toFixed(4)}; SQNR vs float on ${heldOut.length} held-out samples: gptq ${a.sqnrDb.toFixed(1)} dB, nearest ${b.sqnrDb.toFixed(1)} dB`);
    assert.ok(Math.abs(ratio - 0.5) <= 0.03, `ratio ${ratio}`);
    assert.ok(a.sqnrDb >= 60, `gptq SQNR ${a.sqnrDb}`);
    assert.ok(a.sqnrDb > b.sqnrDb + 3, `gptq ${a.sqnrDb} dB vs nearest ${b.sqnrDb} dB`);
    if (c.classifier) assert.equal(a.top1, 100);
    // Nearest rounding loses exactly what FP16 storage loses: the float file with its weights
    // rounded to FP16 (kept float32) gives the same outputs.
    const rounded = readFixtureModel('mlperf-tiny', c.dir, c.float);
    for (const x of mainGraph(rounded).tensors.values())
      if (x.data && x.dtype === 'float32') x.data = Float32Array.from(x.data as Float32Array, (v) => halfToFloat(toFloat16Bits(v)));
    const few = heldOut.slice(0, 10);
    const same = agreement(await runAll(RUNTIME, writeTflite(rounded), few), await runAll(RUNTIME, plain, few));
    assert.ok(same.sqnrDb > 100, `FP16 file vs FP16-rounded float file: ${same.sqnrDb} dB`);
  });
}

test('ad01: dynamic range file is within 1 dB of the official dynamic file, float I/O int8 within 1 dB too', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const float: ModelGraph = readFixtureModel('mlperf-tiny', 'ad01', 'ad01_fp32.tflite');
  const heldOut = ad01Windows(100, 196);
  const reference = await runAll(RUNTIME, bytesOf('mlperf-tiny', 'ad01', 'ad01_fp32.tflite'), heldOut);
  const dynamic = writeTflite((await quantizeModel(float, cfg('dynamic'))).model);
  const a = agreement(reference, await runAll(RUNTIME, dynamic, heldOut));
  const windows = ad01Windows(0, 100);
  const samples = async function* (): AsyncIterable<Float32Array[]> {
    for (const x of windows) yield [x];
  };
  const compensated = await quantizeModel(float, { ...cfg('dynamic'), weightRounding: 'gptq' }, { samples });
  const gptq = agreement(reference, await runAll(RUNTIME, writeTflite(compensated.model), heldOut));
  const b = agreement(reference, await runAll(RUNTIME, bytesOf('mlperf-tiny', 'ad01', 'ad01_dynamic_range.tflite'), heldOut));
  const statistics = await observeRanges(float, ad01Windows(0, 100).map((x) => [x]));
  const floatIo = writeTflite((await quantizeModel(float, cfg('int8'), { statistics })).model);
  const c = agreement(reference, await runAll(RUNTIME, floatIo, heldOut));
  const d = agreement(reference, await runAll(RUNTIME, bytesOf('mlperf-tiny', 'ad01', 'ad01_int8_float_io.tflite'), heldOut));
  t.diagnostic(`dynamic ours ${a.sqnrDb.toFixed(2)} dB (gptq ${gptq.sqnrDb.toFixed(2)} dB on ${compensated.report.weightRounding?.compensated} layers) official ${b.sqnrDb.toFixed(2)} dB; int8 float I/O ours ${c.sqnrDb.toFixed(2)} dB official ${d.sqnrDb.toFixed(2)} dB`);
  assert.ok(Math.abs(a.sqnrDb - b.sqnrDb) <= 1);
  assert.ok(gptq.sqnrDb > a.sqnrDb + 1, 'dynamic range with gptq weights beats nearest');
  assert.ok(c.sqnrDb >= d.sqnrDb - 1);
  assert.ok(Math.abs(dynamic.length / bytesOf('mlperf-tiny', 'ad01', 'ad01_dynamic_range.tflite').length - 1) <= 0.02);
});

// KWS dynamic range is not compared with the official file here: the official KWS .tflite files
// were made from other trained weights than the SavedModel fixture (see the top of
// test/formats/savedmodel.test.ts), so their SQNR is not comparable with ours. The structure
// against the official dynamic file and SQNR against our own float model are checked there.

test('int16x8 (int16 and float I/O) runs in both runtimes and beats our int8 on SQNR', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  for (const c of CASES.slice(0, 2)) {
    const float = readFixtureModel('mlperf-tiny', c.dir, c.float);
    const statistics = await observeRanges(float, (await c.calibration()).map((x) => [x]));
    const heldOut = await c.heldOut();
    const int8 = writeTflite((await quantizeModel(float, cfg('int8', 'int8'), { statistics })).model);
    // The float and int8 outputs in each runtime, run once for both int16x8 I/O types.
    const outputs = new Map<RuntimeName, { reference: Float32Array[]; int8: Float32Array[] }>();
    for (const runtime of RUNTIMES) outputs.set(runtime, { reference: await runAll(runtime, bytesOf('mlperf-tiny', c.dir, c.float), heldOut), int8: await runAll(runtime, int8, heldOut) });
    for (const io of ['int16', 'float32'] as const) {
      const { model } = await quantizeModel(float, { ...cfg('int16x8', io), int8Only: true }, { statistics });
      const g = mainGraph(model);
      assert.equal(g.tensors.get(g.inputs[0]!)!.dtype, io);
      const bytes = writeTflite(model);
      for (const runtime of RUNTIMES) {
        const { reference, int8: int8Outputs } = outputs.get(runtime)!;
        const a = agreement(reference, await runAll(runtime, bytes, heldOut));
        const b = agreement(reference, int8Outputs);
        t.diagnostic(`${c.name} int16x8 (${io} I/O) ${runtime}: SQNR ${a.sqnrDb.toFixed(2)} dB top1 ${a.top1.toFixed(1)}% | our int8 ${b.sqnrDb.toFixed(2)} dB`);
        assert.ok(a.sqnrDb > b.sqnrDb);
      }
    }
  }
});
