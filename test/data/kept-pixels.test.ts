// An image folder's later passes reuse the decoded pixels the run's reader keeps (not float
// samples, four times their size): the same samples again with no file read, and a memory bound
// of N images' pixels keeps N images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openDataset } from '../../src-main/data/open';
import { DataReader } from '../../src-main/data/reader';

const dir = join(import.meta.dirname, '../../test-output/kept-pixels');
const input = [{ name: 'x', shape: [1, 16, 16, 3], dtype: 'float32' }];
const PIXEL_BYTES = 16 * 16 * 3;

async function writeImages(count: number): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < count; n++) {
    const rgb = Buffer.from(Array.from({ length: 20 * 20 * 3 }, (_, i) => (i * (n + 3) + 40 * Math.sin(i / 7)) & 255));
    await sharp(rgb, { raw: { width: 20, height: 20, channels: 3 } }).png().toFile(join(dir, `img_${n}.png`));
  }
}

async function pass(reader: DataReader, preprocess: string): Promise<Float32Array[]> {
  const ds = await openDataset(dir, input, { preprocess, reader, warnFewSamples: false });
  const out: Float32Array[] = [];
  for await (const s of ds.samples()) out.push(s.inputs[0]!);
  await ds.close();
  return out;
}

test('a second pass over an image folder reuses the kept pixels: same samples, no file read, under any preprocessing', async () => {
  await writeImages(5);
  const reads: string[] = [];
  // File bytes are not kept: a sample whose pixels were not kept would be read again.
  const reader = new DataReader({ maxFileBytes: 0, onRead: (path) => reads.push(path) });
  const first = await pass(reader, '0..1');
  assert.equal(reads.length, 5);
  const again = await pass(reader, '0..1');
  assert.equal(reads.length, 5, 'no file read again');
  assert.deepEqual(again, first);
  assert.notEqual(again[0], first[0], 'each pass gets arrays of its own');
  // Another preprocessing of the same pixels: nothing read, the values of a fresh reader.
  const imagenet = await pass(reader, 'imagenet');
  assert.equal(reads.length, 5);
  assert.deepEqual(imagenet, await pass(new DataReader(), 'imagenet'));
});

test('the decoded-bytes bound counts pixels: room for 3 images keeps 3 images, the other 2 are read again', async () => {
  await writeImages(5);
  const reads: string[] = [];
  const reader = new DataReader({ maxFileBytes: 0, maxDecodedBytes: 3 * PIXEL_BYTES, onRead: (path) => reads.push(path) });
  const first = await pass(reader, '0..1');
  reads.length = 0;
  assert.deepEqual(await pass(reader, '0..1'), first);
  assert.deepEqual(reads.map((p) => p.slice(dir.length + 1)).sort(), ['img_3.png', 'img_4.png']);
});
