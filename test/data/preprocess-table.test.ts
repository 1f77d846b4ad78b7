// preprocessPixels looks each pixel up in a table of its channel's 256 outputs: every value must
// equal the per-pixel formula (pixel·scale − mean[c]) / std[c] rounded to float32, under every
// preset, BGR order, gray images and a preprocess file's uneven mean/std.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preprocessPixels, PRESETS, type Preprocessing } from '../../src-main/data/preprocess';
import { openDataset } from '../../src-main/data/open';
import { CalibrationDataError } from '../../src-main/data/dataset';
import { writeNpy } from '../../src-main/data/npy';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The formula, pixel by pixel, in the model's channel order. */
function direct(pixels: Uint8Array, channels: 1 | 3, p: Preprocessing): Float32Array {
  return Float32Array.from(pixels, (_, i) => {
    const c = channels === 1 ? 0 : i % 3;
    const src = channels === 1 ? i : i - c + (p.channelOrder === 'BGR' ? 2 - c : c);
    return (pixels[src]! * p.scale - p.mean[c]!) / p.std[c]!;
  });
}

test('preprocessPixels equals the per-pixel formula for every pixel value, preset, channel order and gray', () => {
  // Every value in every channel position, then a shuffled photo-like run.
  const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
  const mixed = Uint8Array.from({ length: 3 * 1000 }, (_, i) => (i * 7919 + (i >> 3) * 31) % 256);
  const custom: Preprocessing = { name: 'prep.json', scale: 0.7, mean: [1.5, 20, 101.25], std: [0.3, 2.5, 57], channelOrder: 'BGR' };
  for (const p of [...Object.values(PRESETS), custom]) {
    for (const pixels of [all, mixed]) {
      assert.deepEqual(preprocessPixels(pixels, 3, p), direct(pixels, 3, p), `${p.name} RGB-sized`);
      assert.deepEqual(preprocessPixels(pixels, 1, p), direct(pixels, 1, p), `${p.name} gray`);
    }
  }
});

test('a sample holding a NaN or an Infinity is refused naming its first such value', async () => {
  const dir = join(import.meta.dirname, '../../test-output/preprocess-table');
  mkdirSync(dir, { recursive: true });
  const data = Float32Array.from({ length: 2 * 8 }, (_, i) => 0.5 + 0.4 * Math.sin(i / 3));
  data[8 + 5] = Infinity;
  data[8 + 6] = NaN;
  const path = join(dir, 'bad.npy');
  await writeNpy(path, { dtype: 'float32', shape: [2, 8], data });
  const ds = await openDataset(path, [{ name: 'x', shape: [1, 8], dtype: 'float32' }], { warnFewSamples: false });
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const s of ds.samples()) seen.push(s.inputs[0]!.length);
    })(),
    (e: Error) => e instanceof CalibrationDataError && /value 5 for input 'x' is Infinity/.test(e.message),
  );
  assert.deepEqual(seen, [8], 'the first sample passes');
  await ds.close();
});
