// The "done when" through the real convert pipeline: Keras .h5 → float passes → our int8
// with real calibration data (photos, log-mel windows as .npy, the str_ww .npz) → .tflite, compared
// with the official converter's file from the same weights: structure, bias scales, size, accuracy.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { convertModel } from '../../src-main/convert/pipeline';
import type { CalibrationSpec, QuantizeConfig } from '../../src-main/convert/types';
import { writeNpy, parseNpy } from '../../src-main/data/npy';
import { mainGraph, type ModelGraph } from '../../src-main/graph/model-graph';
import { ioQuantFormulas } from '../../src-main/quantize/index';
import { f32 } from '../../src-main/quantize/math';
import { readTflite } from '../../src-main/tflite/reader';
import { agreement, runAll } from './accuracy';
import { fixture, hasFixtures, imageFiles, loadImageCrops, structure } from './helpers';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'quantize-e2e');
const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

function int8Config(calibration: Omit<CalibrationSpec, 'samples' | 'method' | 'seed'>): QuantizeConfig {
  return { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: { samples: 100, method: 'minmax', seed: 0, ...calibration } };
}

async function convert(model: string, name: string, quantize: QuantizeConfig): Promise<{ bytes: Uint8Array; graph: ModelGraph }> {
  mkdirSync(OUT, { recursive: true });
  const output = join(OUT, `${name}.tflite`);
  await convertModel({ model, output, quantize });
  const bytes = bytesOf(output);
  return { bytes, graph: readTflite(bytes, { fileName: name }) };
}

function assertLikeOfficial(ours: ModelGraph, official: ModelGraph): void {
  assert.deepEqual(structure(ours), structure(official));
  const g = mainGraph(ours);
  for (const n of g.nodes) {
    if (n.op !== 'CONV_2D' && n.op !== 'DEPTHWISE_CONV_2D' && n.op !== 'FULLY_CONNECTED') continue;
    const sIn = g.tensors.get(n.inputs[0]!)!.quant!.scale[0]!;
    const w = g.tensors.get(n.inputs[1]!)!.quant!;
    g.tensors.get(n.inputs[2]!)!.quant!.scale.forEach((s, c) => assert.equal(s, f32(sIn * w.scale[c]!), `${n.name}[${c}]`));
  }
}

function ad01Windows(from: number, to: number): Float32Array {
  const bin = readFileSync(fixture('mlperf-tiny', 'ad01', 'dcase_logmel_200x128_f32.bin'));
  const frames = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const out = new Float32Array((to - from) * 640);
  for (let s = from; s < to; s++) out.set(frames.subarray(s * 128, (s + 5) * 128), (s - from) * 640);
  return out;
}

async function compareAccuracy(t: { diagnostic(m: string): void }, floatBytes: Uint8Array, ours: Uint8Array, official: Uint8Array, heldOut: Float32Array[], classifier: boolean): Promise<void> {
  const top1: number[][] = [[], []];
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const reference = await runAll(runtime, floatBytes, heldOut);
    const a = agreement(reference, await runAll(runtime, ours, heldOut));
    const b = agreement(reference, await runAll(runtime, official, heldOut));
    t.diagnostic(`${runtime}: ours top1 ${a.top1.toFixed(1)}% SQNR ${a.sqnrDb.toFixed(2)} dB | official top1 ${b.top1.toFixed(1)}% SQNR ${b.sqnrDb.toFixed(2)} dB`);
    assert.ok(a.sqnrDb >= b.sqnrDb - 1, `${runtime} SQNR ${a.sqnrDb} vs ${b.sqnrDb}`);
    top1[0]!.push(a.top1);
    top1[1]!.push(b.top1);
  }
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  if (classifier) assert.ok(mean(top1[0]!) >= mean(top1[1]!) - 1, `top-1 ${top1[0]} vs ${top1[1]}`);
}

for (const c of [
  { name: 'vww', h5: 'vww/vww_96.h5', float: 'vww/vww_96_float.tflite', official: 'vww/vww_96_int8.tflite', size: 96, preprocess: '0..1', scale: 1 / 255 },
  { name: 'resnet8', h5: 'resnet8/pretrainedResnet.h5', float: 'resnet8/pretrainedResnet.tflite', official: 'resnet8/pretrainedResnet_quant.tflite', size: 32, preprocess: '0..255', scale: 1 },
] as const) {
  test(`${c.name}.h5 → int8 (photos, --preprocess ${c.preprocess}) matches the official int8 file`, async (t) => {
    if (!hasFixtures) return t.skip('../shared/fixtures absent');
    const { bytes, graph } = await convert(fixture('mlperf-tiny', c.h5), `${c.name}_int8`, int8Config({ path: fixture('images', 'photos'), preprocess: c.preprocess }));
    const official = bytesOf(fixture('mlperf-tiny', c.official));
    assertLikeOfficial(graph, readTflite(official));
    t.diagnostic(`size ${bytes.length} vs official ${official.length}`);
    assert.ok(Math.abs(bytes.length / official.length - 1) <= 0.02);
    // The input params come from the preprocessing: raw bytes feed the model.
    const [input] = ioQuantFormulas(graph);
    assert.deepEqual([input!.scale, input!.zeroPoint], [f32(c.scale), -128]);
    const heldOut = (await Promise.all(imageFiles('litert_224', 'coral').map((f) => loadImageCrops(f, c.size, c.scale)))).flat();
    await compareAccuracy(t, bytesOf(fixture('mlperf-tiny', c.float)), bytes, official, heldOut, true);
  });
}

test('ad01.h5 → int8 calibrated on log-mel windows (.npy) matches the official int8 file', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  mkdirSync(OUT, { recursive: true });
  const npy = join(OUT, 'ad01_windows.npy');
  await writeNpy(npy, { dtype: 'float32', shape: [100, 640], data: ad01Windows(0, 100) });
  const { bytes, graph } = await convert(fixture('mlperf-tiny', 'ad01', 'ad01.h5'), 'ad01_int8', int8Config({ path: npy }));
  const official = bytesOf(fixture('mlperf-tiny', 'ad01', 'ad01_int8.tflite'));
  assertLikeOfficial(graph, readTflite(official));
  assert.ok(Math.abs(bytes.length / official.length - 1) <= 0.02, `size ${bytes.length} vs ${official.length}`);
  const all = ad01Windows(100, 196);
  const heldOut = Array.from({ length: 96 }, (_, i) => all.slice(i * 640, (i + 1) * 640));
  await compareAccuracy(t, bytesOf(fixture('mlperf-tiny', 'ad01', 'ad01_fp32.tflite')), bytes, official, heldOut, false);
});

test('str_ww.h5 → int8 calibrated on its .npz: official structure, label accuracy ≥ the official file', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const npz = fixture('mlperf-tiny', 'str_ww', 'calibration_samples.npz');
  const { bytes, graph } = await convert(fixture('mlperf-tiny', 'str_ww', 'str_ww_ref_model.h5'), 'str_ww_int8', int8Config({ path: npz }));
  const official = bytesOf(fixture('mlperf-tiny', 'str_ww', 'str_ww_ref_model.tflite'));
  assertLikeOfficial(graph, readTflite(official));
  const arrays = unzipSync(bytesOf(npz));
  const specs = parseNpy(arrays['specs.npy']!);
  const labels = parseNpy(arrays['labels.npy']!);
  const per = 30 * 40;
  const samples = Array.from({ length: 45 }, (_, i) => Float32Array.from((specs.data as Float64Array).subarray(i * per, (i + 1) * per)));
  const argmax = (a: Float32Array): number => a.reduce((best, v, i) => (v > a[best]! ? i : best), 0);
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const acc = async (file: Uint8Array): Promise<number> => {
      const outs = await runAll(runtime, file, samples);
      return outs.filter((o, i) => argmax(o) === Number((labels.data as Float64Array)[i])).length / 45;
    };
    const [ours, theirs] = [await acc(bytes), await acc(official)];
    t.diagnostic(`${runtime}: label accuracy ours ${(100 * ours).toFixed(1)}% official ${(100 * theirs).toFixed(1)}%; size ${bytes.length} vs ${official.length}`);
    assert.ok(ours >= theirs, `${runtime}: ${ours} < ${theirs}`);
  }
});
