// A real TF.js layers model (MobileNetV2, nsfwjs) → int8 calibrated on photos, evaluated on other
// photos in LiteRT.js; its uint8-input variant is fed raw RGB bytes, with no arithmetic. The float
// and nearest-int8 files, the held-out crops and their float outputs are made once for both tests.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertModel } from '../../src-main/convert/pipeline';
import type { QuantizeConfig } from '../../src-main/convert/types';
import { getRuntime } from '../../src-main/runtime/index';
import { agreement, runAll, type Agreement } from './accuracy';
import { fixture, hasFixtures, imageFiles, loadImageCrops, loadRgbBytes } from './helpers';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'quantize-nsfwjs');
const skip = hasFixtures ? false : '../shared/fixtures absent';
const model = fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
const calibration = { path: fixture('images', 'litert_224'), preprocess: '0..1', samples: 100, method: 'minmax' as const, seed: 0 };
const none = { inputType: 'float32', outputType: 'float32' } as const;
const argmax = (a: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
};

async function run(name: string, quantize: QuantizeConfig): Promise<{ bytes: Uint8Array; ms: number }> {
  mkdirSync(OUT, { recursive: true });
  const output = join(OUT, name);
  const start = performance.now();
  await convertModel({ model, output, quantize });
  return { bytes: new Uint8Array(readFileSync(output)), ms: performance.now() - start };
}

interface Shared {
  /** Nearest rounding, int8 weights and activations, float I/O. */
  int8: Uint8Array;
  heldOut: Float32Array[];
  /** A file's outputs on the held-out crops against the float file's. */
  measure(bytes: Uint8Array): Promise<Agreement>;
  int8Agreement: Agreement;
}

let shared: Promise<Shared> | undefined;
/** Made on first use (not at import: without the fixtures both tests skip). */
function base(): Promise<Shared> {
  return (shared ??= (async () => {
    const float = (await run('float.tflite', { ...none, mode: 'none', int8Only: false })).bytes;
    // Rounding against rounding: nearest without the bias correction it gets by default (with it
    // 30.37 dB, 98.8%: bench/bias-correction.bench.ts), so gptq is compared with plain nearest.
    const int8 = (await run('int8.tflite', { ...none, mode: 'int8', int8Only: true, calibration, biasCorrection: false })).bytes;
    const heldOut = (await Promise.all(imageFiles('photos', 'coral').map((f) => loadImageCrops(f, 224, 1 / 255)))).flat();
    const reference = await runAll('litert-js', float, heldOut);
    const measure = async (bytes: Uint8Array): Promise<Agreement> => agreement(reference, await runAll('litert-js', bytes, heldOut));
    return { int8, heldOut, measure, int8Agreement: await measure(int8) };
  })());
}

test('nsfwjs MobileNetV2 → int8: ≥ 95% top-1 agreement with float on held-out photos; uint8 input takes raw pixels', { skip }, async (t) => {
  const { int8, heldOut, int8Agreement: a } = await base();
  t.diagnostic(`int8 vs float on ${heldOut.length} held-out crops: top-1 ${a.top1.toFixed(1)}%, SQNR ${a.sqnrDb.toFixed(1)} dB`);
  assert.ok(a.top1 >= 95, `top-1 ${a.top1}`);

  const uint8 = (await run('uint8.tflite', { mode: 'int8', inputType: 'uint8', outputType: 'float32', int8Only: true, calibration, biasCorrection: false })).bytes;
  const photos = imageFiles('photos', 'coral');
  const loaded = await getRuntime('litert-js').load(uint8);
  try {
    assert.deepEqual([loaded.inputs[0]!.dtype, loaded.inputs[0]!.quant], ['uint8', { scale: Math.fround(1 / 255), zeroPoint: 0 }]);
    let same = 0;
    for (const [i, file] of photos.entries()) {
      const data = await loadRgbBytes(file, 224);
      const [y] = await loaded.run([data]);
      const [expected] = await runAll('litert-js', int8, [Float32Array.from(data, (v) => v / 255)]);
      if (argmax(y as Float32Array) === argmax(expected!)) same++;
      else t.diagnostic(`raw-pixel disagreement on ${file} (${i})`);
    }
    t.diagnostic(`uint8 raw pixels agree with the int8 float-input file on ${same}/${photos.length} photos`);
    assert.ok(same >= photos.length - 1);
  } finally {
    loaded.dispose();
  }
});

test('nsfwjs MobileNetV2 with --weight-rounding gptq: int8 and fp16 closer to float than nearest rounding on held-out photos', { skip }, async (t) => {
  const { heldOut, measure, int8Agreement: int8 } = await base();
  const gptqFile = await run('int8-gptq.tflite', { ...none, mode: 'int8', int8Only: true, calibration, weightRounding: 'gptq' });
  const gptq = await measure(gptqFile.bytes);
  // fp16 makes one pass over the samples per layer: 2 samples keep the test short (the README's
  // figure on 8 samples: `npm run bench -- gptq-fp16`).
  const halfNearest = await measure((await run('fp16.tflite', { ...none, mode: 'fp16', int8Only: false })).bytes);
  const halfFile = await run('fp16-gptq.tflite', { ...none, mode: 'fp16', int8Only: false, weightRounding: 'gptq', calibration: { ...calibration, samples: 2 } });
  const half = await measure(halfFile.bytes);
  t.diagnostic(`LiteRT.js, ${heldOut.length} held-out crops vs float: int8 nearest ${int8.top1.toFixed(1)}% ${int8.sqnrDb.toFixed(1)} dB, gptq ${gptq.top1.toFixed(1)}% ${gptq.sqnrDb.toFixed(1)} dB (${Math.round(gptqFile.ms)} ms); fp16 nearest ${halfNearest.sqnrDb.toFixed(1)} dB, gptq on 2 samples ${half.sqnrDb.toFixed(1)} dB (${Math.round(halfFile.ms)} ms)`);
  assert.ok(gptq.top1 >= int8.top1 && gptq.sqnrDb > int8.sqnrDb + 3, 'int8 gptq beats nearest');
  assert.ok(half.sqnrDb > halfNearest.sqnrDb + 10, 'fp16 gptq beats nearest');
});
