// Images larger than the app decodes are refused from their header, in the calibration loader
// (convert jobs) as in the preview; a normal image still loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageTooLargeError } from '../../src-main/data/image-bounds';
import { loadImage } from '../../src-main/data/images';
import { pngHeaderOnly } from '../helpers/png-header';

const dir = mkdtempSync(join(tmpdir(), 'eq-image-bounds-'));

test('a PNG whose header says 16000×16000 is refused before decoding, naming the file and the size', async () => {
  const huge = join(dir, 'huge.png');
  writeFileSync(huge, pngHeaderOnly(16000, 16000));
  const started = performance.now();
  await assert.rejects(loadImage(huge, { width: 8, height: 8, channels: 3 }), (e: unknown) => {
    return e instanceof ImageTooLargeError && e.message === `${huge}: 16000×16000 pixels (256 MP) is more than the 64 MP the app decodes; scale the image down.`;
  });
  assert.ok(performance.now() - started < 5_000);
});

test('an ordinary image still loads', async () => {
  const small = join(dir, 'small.png');
  await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(small);
  const pixels = await loadImage(small, { width: 4, height: 4, channels: 3 });
  assert.equal(pixels.length, 48);
});
