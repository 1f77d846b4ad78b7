// Done-when for TF.js layers models: nsfwjs MobileNetV2 (uint8-quantized weight manifest) and
// ESRGAN-slim (dynamic input pinned with --input-shape) convert, and our .tflite in LiteRT
// matches the same model.json run by TF.js (SQNR ≥ 50 dB, same top-1 for the classifier).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { loadTfjsLayers, runTfjs, tfjs } from '../keras/tfjs-reference';
import { convertTo, fixture, hasFixtures, loadPhoto, photoFiles, runTflite, sqnrDb, tempDir, top1Agreement } from './helpers';

const skip = hasFixtures ? false : '../shared/fixtures absent';

test('nsfwjs MobileNetV2 (TF.js layers, uint8 weights) converts and matches TF.js', { skip }, async () => {
  const path = fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
  const result = await convertTo(tempDir(), path);
  assert.equal(result.opHistogram['PAD'], undefined, 'ZeroPadding2D before stride-2 convs folds into SAME padding');
  assert.deepEqual(result.inputs[0]!.shape, [1, 224, 224, 3]);
  const samples = await Promise.all(photoFiles().slice(0, 12).map((f) => loadPhoto(f, 224)));
  const ref = await runTfjs(await loadTfjsLayers(path), samples, [1, 224, 224, 3]);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  const sqnr = sqnrDb(ref, got);
  console.log(`# nsfwjs: ${result.bytes} B, SQNR vs TF.js ${sqnr.toFixed(1)} dB on ${samples.length} photos`);
  assert.ok(sqnr >= 50, `SQNR ${sqnr.toFixed(1)} dB < 50`);
  assert.equal(top1Agreement(ref, got), 1);
});

test('ESRGAN-slim x4 needs --input-shape, then converts and matches TF.js', { skip }, async () => {
  const path = fixture('tfjs', 'esrgan_slim_x4', 'model.json');
  await assert.rejects(convertTo(tempDir(), path), /dynamic dims \[\?, \?, \?, 3\]; pin them with --input-shape/);
  const result = await convertTo(tempDir(), path, { inputShape: [1, 64, 64, 3] });
  assert.deepEqual(result.outputs[0]!.shape, [1, 256, 256, 3]);
  const samples = await Promise.all(photoFiles().slice(0, 4).map((f) => loadPhoto(f, 64, 1)));
  const ref = await runTfjs(await loadTfjsLayers(path), samples, [1, 64, 64, 3]);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  const sqnr = sqnrDb(ref, got);
  console.log(`# esrgan: ${result.bytes} B, SQNR vs TF.js ${sqnr.toFixed(1)} dB on ${samples.length} photos`);
  assert.ok(sqnr >= 50, `SQNR ${sqnr.toFixed(1)} dB < 50`);
});

function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // tiny values flush to zero (fine for a test)
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 8192);
}

test('a TF.js manifest with float16-quantized weights converts to the dequantized weights', async () => {
  const tf = await tfjs();
  const x = tf.input({ shape: [6] });
  const y = tf.layers.dense({ units: 4, activation: 'tanh', name: 'd' }).apply(x) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: y });
  const dir = tempDir();
  mkdirSync(join(dir, 'm'));
  const halves: number[] = [];
  const specs: unknown[] = [];
  for (const w of model.getWeights()) {
    const data = Array.from(w.dataSync());
    halves.push(...data.map(toHalf));
    specs.push({ name: `d/${w.shape.length === 2 ? 'kernel' : 'bias'}`, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } });
  }
  const topology = JSON.parse(JSON.stringify((model as unknown as { toJSON: (a: null, b: boolean) => unknown }).toJSON(null, false)));
  writeFileSync(join(dir, 'm', 'model.json'), JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }));
  writeFileSync(join(dir, 'm', 'w.bin'), new Uint8Array(Uint16Array.from(halves).buffer));
  const result = await convertTo(dir, join(dir, 'm', 'model.json'));
  const samples = Array.from({ length: 3 }, (_, k) => Float32Array.from({ length: 6 }, (_, i) => Math.sin(k * 6 + i)));
  // Reference: the same model with its weights rounded to float16 (what the manifest stores).
  const fromHalf = (h: number): number => (h & 0x8000 ? -1 : 1) * ((h >> 10) & 0x1f ? 2 ** (((h >> 10) & 0x1f) - 15) * (1 + (h & 0x3ff) / 1024) : 0);
  let offset = 0;
  model.setWeights(model.getWeights().map((w) => {
    const n = w.size;
    const t = tf.tensor(halves.slice(offset, offset + n).map(fromHalf), w.shape);
    offset += n;
    return t;
  }));
  const ref = await runTfjs(model, samples, [1, 6]);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  assert.ok(sqnrDb(ref, got) >= 100, `SQNR ${sqnrDb(ref, got)}`);
});
