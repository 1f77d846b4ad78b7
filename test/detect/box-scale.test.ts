// YOLO boxes in pixels or in 0..1 of the input (ultralytics' TFLite export normalises them): the
// yolov8 decoder tells which from the values, `--box-scale` says it explicitly, and `evaluate
// --task detect` reads a normalised model's boxes as the same pixel boxes as its pixel twin.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { detect, type Detection, type DetectionSection, type DetectOptions } from '../../src-main/detect/index';
import { yoloBoxScale } from '../../src-main/detect/decoders/yolov8';
import { fixture, tempDir } from '../convert/helpers';
import { encodeYolov8 } from './encode';
import { writeTinyYolo } from './tiny-yolo';

const SIZE = 640;
const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId: number): Detection => ({ x1, y1, x2, y2, score, classId });
const known = [box(10, 20, 110, 220, 0.9, 2), box(300, 300, 600, 500, 0.6, 0), box(400, 40, 440, 90, 0.5, 5)];
const options = (boxScale?: DetectOptions['boxScale']): DetectOptions => ({
  decoder: 'yolov8', inputWidth: SIZE, inputHeight: SIZE, scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 100, ...(boxScale ? { boxScale } : {}),
});
const scaled = (b: Detection, k: number): Detection => ({ ...b, x1: b.x1 * k, y1: b.y1 * k, x2: b.x2 * k, y2: b.y2 * k });
const byScore = (xs: Detection[]) => [...xs].sort((a, b) => b.score - a.score);

function assertBoxes(got: Detection[], want: Detection[]) {
  assert.equal(got.length, want.length, JSON.stringify(got));
  byScore(got).forEach((g, i) => {
    const w = byScore(want)[i]!;
    assert.equal(g.classId, w.classId);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(g[k] - w[k]) < 1e-3, `${k}: ${g[k]} vs ${w[k]}`);
  });
}

test('yolov8 decoder: normalised boxes are told from their range and come out in pixels; --box-scale overrides', () => {
  for (const channelsFirst of [true, false]) {
    const pixels = encodeYolov8(known, [7, 100, 8399], 80, 8400, channelsFirst);
    const normalized = encodeYolov8(known.map((b) => scaled(b, 1 / SIZE)), [7, 100, 8399], 80, 8400, channelsFirst);
    assert.equal(yoloBoxScale([pixels], { inputWidth: SIZE, inputHeight: SIZE }), 'pixels');
    assert.equal(yoloBoxScale([normalized], { inputWidth: SIZE, inputHeight: SIZE }), 'normalized');
    assertBoxes(detect([pixels], options()), known);
    assertBoxes(detect([normalized], options()), known);
    assertBoxes(detect([normalized], options('auto')), known);
    assertBoxes(detect([normalized], options('normalized')), known);
    // Told explicitly, the scale is taken as given, whatever the values look like.
    assertBoxes(detect([normalized], options('pixels')), known.map((b) => scaled(b, 1 / SIZE)));
    assertBoxes(detect([pixels], options('pixels')), known);
  }
});

const photos = fixture('images', 'photos');

test('evaluate --task detect: a normalised-box model gives its pixel twin\'s boxes; --box-scale is checked', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async () => {
  const dir = tempDir('edgequant-box-scale-');
  const files: Record<string, string> = {};
  for (const scale of ['pixels', 'normalized'] as const) {
    files[scale] = join(dir, `${scale}.tflite`);
    const r = await cli(['convert', await writeTinyYolo(dir, 11, scale), '-o', files[scale]!]);
    assert.equal(r.code, 0, r.err);
  }
  const run = async (file: string, extra: string[] = []) => {
    const r = await cli(['evaluate', file, file, '--data', photos, '--preprocess', '0..1', '--task', 'detect', '--runs', '0', '--json', ...extra]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { detection: DetectionSection }).detection;
  };
  const pixels = await run(files['pixels']!);
  const normalized = await run(files['normalized']!);
  assert.equal(pixels.boxScale, 'pixels');
  assert.equal(normalized.boxScale, 'normalized');
  const total = pixels.images.reduce((n, im) => n + im.float.length, 0);
  assert.ok(total > 0, 'the pixel model finds boxes on the photos');
  pixels.images.forEach((im, i) => assertBoxes(normalized.images[i]!.float, im.float));
  // Forced to pixels, the normalised model's boxes are 1/64 the size: none overlap the real ones.
  const forced = await run(files['normalized']!, ['--box-scale', 'pixels']);
  assert.equal(forced.boxScale, 'pixels');
  const largest = Math.max(...forced.images.flatMap((im) => im.float.map((b) => b.x2 - b.x1)));
  assert.ok(largest < 2, `boxes read as pixels stay under 2 px (largest ${largest})`);
  const table = await cli(['evaluate', files['normalized']!, files['normalized']!, '--data', photos, '--preprocess', '0..1', '--task', 'detect', '--runs', '0']);
  assert.match(table.out, /64×64 input, boxes in 0\.\.1 of the input;/);
  const bad = await cli(['evaluate', files['pixels']!, files['pixels']!, '--data', photos, '--task', 'detect', '--box-scale', 'percent']);
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim(), "edgequant evaluate: --box-scale must be pixels|normalized|auto (got 'percent').");
  const without = await cli(['evaluate', files['pixels']!, files['pixels']!, '--data', photos, '--box-scale', 'pixels']);
  assert.equal(without.code, 2);
  assert.match(without.err, /--box-scale only applies with --task detect/);
});
