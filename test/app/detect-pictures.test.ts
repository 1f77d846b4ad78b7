// A detector run's pictures are drawn with the preprocessing inverted, so the photo keeps its
// own levels (they were min/max-stretched): every preset gives back the pixels it was fed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputToPixels } from '../../src-main/app/detect-pictures';
import { PRESETS, preprocessPixels } from '../../src-main/data/preprocess';

test('pictures invert 0..1, -1..1, imagenet and caffe (BGR) exactly, NHWC and NCHW; values that do not fit are stretched', () => {
  const [h, w] = [6, 5];
  // A dim photo: levels 40..140, so a stretch to 0..255 would change every pixel.
  const rgb = Uint8Array.from({ length: h * w * 3 }, (_, i) => 40 + ((i * 37) % 101));
  for (const name of ['0..1', '-1..1', 'imagenet', 'caffe'] as const) {
    const p = PRESETS[name];
    const nhwc = preprocessPixels(rgb, 3, p);
    assert.deepEqual([...inputToPixels(nhwc, [1, h, w, 3], p).pixels], [...rgb], `${name}, NHWC`);
    const nchw = new Float32Array(nhwc.length);
    for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) nchw[c * h * w + i] = nhwc[i * 3 + c]!;
    assert.deepEqual([...inputToPixels(nchw, [1, 3, h, w], p).pixels], [...rgb], `${name}, NCHW`);
  }
  // Data prepared another way (-1..1 values read as 0..255 input): half would fall below 0, so stretched.
  const other = preprocessPixels(rgb, 3, PRESETS['-1..1']).map((v) => v * 300);
  const stretched = inputToPixels(other, [1, h, w, 3], PRESETS['0..255']).pixels;
  assert.equal(Math.min(...stretched), 0);
  assert.equal(Math.max(...stretched), 255);
});
