// Done-when for TF.js layers models: nsfwjs MobileNetV2 (uint8-quantized weight manifest) and
// ESRGAN-slim (dynamic input pinned with --input-shape) convert, and our .tflite in LiteRT
// matches the same model.json run by TF.js (SQNR ≥ 50 dB, same top-1 for the classifier).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadTfjsLayers, runTfjs } from '../keras/tfjs-reference';
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
