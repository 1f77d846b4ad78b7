// Decoders: known boxes encoded into YOLOv8-, NanoDet- and SSD-shaped outputs come back out;
// NanoDet's real outputs (TF.js on the fixture photos) decode into sane COCO boxes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseDecoder, detect, DetectInputError, type Detection, type DetectOptions } from '../../src-main/detect/index';
import { encodeNanodet, encodeYolov8 } from './encode';
import { fixturePhotos, fixtures, humanModels, runGraphModelInTfjs } from '../formats/tfjs-graph-reference';

const box = (x1: number, y1: number, x2: number, y2: number, score: number, classId: number): Detection => ({ x1, y1, x2, y2, score, classId });
const options = (decoder: DetectOptions['decoder'], size: number): DetectOptions => ({ decoder, inputWidth: size, inputHeight: size, scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 100 });

function assertSameBoxes(got: Detection[], want: Detection[], tolerance: number) {
  const sort = (xs: Detection[]) => [...xs].sort((a, b) => b.score - a.score);
  assert.equal(got.length, want.length, `found ${JSON.stringify(got)}`);
  sort(got).forEach((g, i) => {
    const w = sort(want)[i]!;
    assert.equal(g.classId, w.classId);
    assert.ok(Math.abs(g.score - w.score) < 1e-6);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(g[k] - w[k]) < tolerance, `${k}: ${g[k]} vs ${w[k]}`);
  });
}

const known = [box(10, 20, 110, 220, 0.9, 2), box(300, 300, 600, 500, 0.6, 0), box(400, 40, 440, 90, 0.5, 5)];

test('yolov8: boxes written into [1, 4+C, N] and [1, N, 4+C] decode back; a low score and an overlap are dropped', () => {
  const extra = [...known, box(12, 22, 110, 220, 0.8, 2), box(0, 0, 50, 50, 0.1, 1)];
  for (const channelsFirst of [true, false]) {
    const out = encodeYolov8(extra, [7, 100, 8399, 8, 50], 80, 8400, channelsFirst);
    assert.equal(chooseDecoder([out.shape], 640, 640), 'yolov8');
    assertSameBoxes(detect([out], options('auto', 640)), known, 1e-3);
  }
});

test('nanodet: boxes written as bin distributions on three levels decode back', () => {
  const outs = encodeNanodet([
    { box: box(40, 40, 90, 120, 0.7, 3), level: 0, cell: 5 * 52 + 7 },
    { box: box(100, 150, 260, 300, 0.55, 15), level: 1, cell: 14 * 26 + 11 },
    { box: box(50, 60, 380, 400, 0.9, 0), level: 2, cell: 6 * 13 + 6 },
  ], 416, 80, 11);
  // Outputs in a shuffled order, as converted files list them.
  const shuffled = [outs[3]!, outs[0]!, outs[5]!, outs[2]!, outs[1]!, outs[4]!];
  assert.equal(chooseDecoder(shuffled.map((o) => o.shape), 416, 416), 'nanodet');
  assertSameBoxes(detect(shuffled, options('nanodet', 416)), [box(40, 40, 90, 120, 0.7, 3), box(100, 150, 260, 300, 0.55, 15), box(50, 60, 380, 400, 0.9, 0)], 1e-3);
});

test('ssd: normalised ymin,xmin,ymax,xmax boxes with per-class scores, and with scores + class ids', () => {
  const boxes = { shape: [1, 3, 4], data: Float32Array.from([0.1, 0.2, 0.5, 0.6, 0, 0, 1, 1, 0.5, 0.5, 0.6, 0.6]) };
  const perClass = { shape: [1, 3, 2], data: Float32Array.from([0.1, 0.9, 0.2, 0.1, 0.3, 0.6]) };
  const want = [box(20, 10, 60, 50, 0.9, 1), box(50, 50, 60, 60, 0.6, 1)];
  assertSameBoxes(detect([boxes, perClass], options('auto', 100)), want, 1e-4);
  const scores = { shape: [1, 3], data: Float32Array.from([0.9, 0.2, 0.6]) };
  const ids = { shape: [1, 3], data: Float32Array.from([1, 0, 1]) };
  const count = { shape: [1], data: Float32Array.from([3]) };
  assertSameBoxes(detect([boxes, ids, scores, count], options('ssd', 100)), want, 1e-4);
});

test('auto names the shapes when it cannot tell; a forced decoder names what it expected', () => {
  assert.throws(() => chooseDecoder([[1, 1000], [1, 7]], 224, 224), (e: Error) => e instanceof DetectInputError && /Cannot tell the detector head from its outputs \[1,1000\] \[1,7\]; pass --decoder/.test(e.message));
  assert.throws(() => detect([{ shape: [1, 1000], data: new Float32Array(1000) }], options('nanodet', 416)), /nanodet decoder expects pairs .* the model gives \[1,1000\]/);
});

const nanodet = join(humanModels, 'nanodet.json');
const photosDir = join(fixtures, 'images', 'photos');

/** TF.js gives flat arrays: 80 class scores or 44 box bins per cell of a 13², 26² or 52² grid. */
const nanodetShape = (length: number) => {
  const cells = [169, 676, 2704].find((n) => n * 80 === length);
  return cells ? [1, cells, 80] : [1, length / 44, 44];
};

test('nanodet: real outputs (TF.js on the fixture photos) decode into COCO boxes inside the image', { skip: !existsSync(photosDir) && `fixture photos absent (${photosDir})` }, async () => {
  // astronaut, chelsea (a cat) and coffee: a person, a cat and a scene of small objects. TF.js runs
  // NanoDet in ~5 s a photo here, so the other three photos (all six took ~46 s) stay out.
  const photos = await fixturePhotos({ height: 416, width: 416, channels: 3 }, { dirs: ['images/photos'], limit: 3 });
  const hw = 416 * 416;
  let total = 0;
  const classes = new Set<number>();
  for (const photo of photos) {
    const nchw = new Float32Array(photo.length);
    for (let i = 0; i < hw; i++) for (let c = 0; c < 3; c++) nchw[c * hw + i] = photo[i * 3 + c]!;
    const outs = (await runGraphModelInTfjs(nanodet, [nchw], [[1, 3, 416, 416]])).map((data) => ({ shape: nanodetShape(data.length), data }));
    assert.equal(chooseDecoder(outs.map((o) => o.shape), 416, 416), 'nanodet');
    const found = detect(outs, { ...options('auto', 416), scoreThreshold: 0.2 });
    for (const d of found) {
      assert.ok(d.x2 > d.x1 && d.y2 > d.y1, JSON.stringify(d));
      assert.ok(d.x1 > -60 && d.y1 > -60 && d.x2 < 476 && d.y2 < 476, `box far outside the image: ${JSON.stringify(d)}`);
      classes.add(d.classId);
    }
    total += found.length;
  }
  console.log(`nanodet (TF.js) on ${photos.length} photos: ${total} boxes ≥ 0.2, classes ${[...classes].sort((a, b) => a - b).join(',')}`);
  assert.ok(total >= 3, `only ${total} boxes`);
  // COCO 0 person (astronaut) and 15 cat (chelsea) are in the photos.
  assert.ok(classes.has(0) && classes.has(15), `classes found: ${[...classes].join(',')}`);
});
