// Requantizing an official FP16 .tflite (MediaPipe hand landmarks): FLOAT16 constants fold back to
// float32, the int8 file runs in both runtimes and its landmarks track the FP16 original.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import { getRuntime } from '../../src-main/runtime/index';
import { readTflite } from '../../src-main/tflite/reader';
import { mainGraph } from '../../src-main/graph/model-graph';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { fixture, hasFixtures, imageFiles, loadImage } from './helpers';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'quantize-requantize');

test('hand_landmark_lite (FP16) requantizes to int8 and runs; landmarks track the original', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  mkdirSync(OUT, { recursive: true });
  const source = fixture('mediapipe', 'hand_landmark_lite.tflite');
  const output = join(OUT, 'hand_landmark_int8.tflite');
  const result = await convertModel({
    model: source,
    output,
    quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: fixture('images', 'litert_224'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
  });
  assert.match(result.warnings.join(' '), /Expanded 102 FLOAT16 constants/);
  const g = mainGraph(readTflite(new Uint8Array(readFileSync(output))));
  assert.ok(![...g.tensors.values()].some((x) => x.dtype === 'float16'));
  const conv = g.nodes.filter((n) => n.op === 'CONV_2D');
  assert.ok(conv.every((n) => g.tensors.get(n.inputs[1]!)!.dtype === 'int8'));
  const original = new Uint8Array(readFileSync(source));
  const quantized = new Uint8Array(readFileSync(output));
  const photos = await Promise.all(imageFiles('photos').map((f) => loadImage(f, 224, 1 / 255)));
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const a = await getRuntime(runtime).load(original);
    const b = await getRuntime(runtime).load(quantized);
    try {
      const scores: number[] = [];
      for (const x of photos) scores.push(sqnrDb((await a.run([x]))[0] as Float32Array, (await b.run([x]))[0] as Float32Array));
      t.diagnostic(`${runtime}: landmark SQNR per photo ${scores.map((s) => s.toFixed(1)).join(', ')} dB`);
      // No hands in these photos, so landmarks are off-distribution: require tracking, not precision.
      assert.ok(Math.min(...scores) > 15 && scores.reduce((s, x) => s + x, 0) / scores.length > 20);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
});
