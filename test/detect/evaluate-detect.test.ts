// End to end: a tiny YOLO-head-shaped Keras model converted to float and int8, both run in
// LiteRT.js on the fixture photos by `edgequant evaluate --task detect`.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import type { DetectionMetrics, DetectionSection } from '../../src-main/detect/index';
import { fixture, tempDir } from '../convert/helpers';
import { TINY, writeTinyYolo } from './tiny-yolo';

const photos = fixture('images', 'photos');

async function detectJson(args: string[]): Promise<DetectionSection> {
  const r = await cli(['evaluate', ...args, '--data', photos, '--preprocess', '0..1', '--task', 'detect', '--runs', '0', '--json']);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { detection: DetectionSection }).detection;
}

function assertSane(m: DetectionMetrics) {
  for (const x of [m.map50, m.map5095, m.meanIou]) assert.ok(x === null || (x >= 0 && x <= 1), `figure out of range: ${x}`);
  assert.ok(m.map50 === null || m.map5095 === null || m.map5095 <= m.map50 + 1e-12);
  assert.equal(m.matched + m.missed, m.truths);
  assert.equal(m.matched + m.extra, m.detections);
}

test('evaluate --task detect: float vs itself is mAP 1; int8 vs float and against labels are reported', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async () => {
  const dir = tempDir('edgequant-detect-');
  const h5 = await writeTinyYolo(dir);
  const f = join(dir, 'float.tflite'), q = join(dir, 'int8.tflite');
  assert.equal((await cli(['convert', h5, '-o', f])).code, 0);
  const conv = await cli(['convert', h5, '-o', q, '--quantize', 'int8', '--calibration', photos, '--preprocess', '0..1']);
  assert.equal(conv.code, 0, conv.err);

  const same = await detectJson([f, f]);
  assert.equal(same.decoder, 'yolov8');
  assert.deepEqual([same.inputWidth, same.inputHeight], [TINY.size, TINY.size]);
  assert.ok(same.quantVsFloat.truths > 0, 'the float model finds no boxes on the photos');
  assert.equal(same.quantVsFloat.map50, 1);
  assert.equal(same.quantVsFloat.map5095, 1);
  assert.deepEqual([same.quantVsFloat.missed, same.quantVsFloat.extra], [0, 0]);

  // Labels made from the float boxes (YOLO txt, normalised): the float model must score 1 on them.
  const labels = join(dir, 'labels');
  mkdirSync(labels);
  for (const im of same.images) {
    const stem = im.source.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
    const s = TINY.size;
    writeFileSync(join(labels, `${stem}.txt`), im.float.map((b) => `${b.classId} ${(b.x1 + b.x2) / 2 / s} ${(b.y1 + b.y2) / 2 / s} ${(b.x2 - b.x1) / s} ${(b.y2 - b.y1) / s}`).join('\n'));
  }
  writeFileSync(join(dir, 'classes.txt'), 'apple\nbanana\ncherry\n');
  const int8 = await detectJson([f, q, '--labels', labels, '--classes', join(dir, 'classes.txt')]);
  assertSane(int8.quantVsFloat);
  assertSane(int8.quantVsLabels!);
  assert.ok(Math.abs(int8.floatVsLabels!.map50! - 1) < 1e-9, `float vs its own labels: ${int8.floatVsLabels!.map50}`);
  assert.deepEqual(int8.classNames, ['apple', 'banana', 'cherry']);
  // The int8 model keeps most of its boxes (52.9 dB output SQNR when measured).
  assert.ok(int8.quantVsFloat.map50! >= 0.5, `int8 mAP@0.5 ${int8.quantVsFloat.map50}`);
  const m = int8.quantVsFloat;
  console.log(`tiny YOLO int8 vs float on ${m.images} photos: mAP@0.5 ${m.map50?.toFixed(3)}, mAP@0.5:0.95 ${m.map5095?.toFixed(3)}, mean IoU ${m.meanIou?.toFixed(3)}, missed ${m.missed}, extra ${m.extra}`);

  const table = await cli(['evaluate', f, q, '--data', photos, '--preprocess', '0..1', '--task', 'detect', '--runs', '0', '--classes', join(dir, 'classes.txt')]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /Detector: yolov8 head, 64×64 input/);
  assert.match(table.out, /quantized vs float\s+\d\.\d{3}\s+\d\.\d{3}/);
  assert.match(table.out, /apple|banana|cherry/);
});

test('evaluate --task detect: bad flags and an unreadable head are one-line input errors', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async () => {
  const dir = tempDir('edgequant-detect-');
  const h5 = await writeTinyYolo(dir);
  const f = join(dir, 'float.tflite');
  assert.equal((await cli(['convert', h5, '-o', f])).code, 0);
  const bad = await cli(['evaluate', f, f, '--data', photos, '--task', 'detect', '--decoder', 'retina']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--decoder must be yolov8\|nanodet\|ssd\|auto \(got 'retina'\)/);
  const wrong = await cli(['evaluate', f, f, '--data', photos, '--task', 'detect', '--decoder', 'nanodet', '--runs', '0']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /nanodet decoder expects pairs/);
  assert.equal(wrong.err.trim().split('\n').length, 1);
  const stray = await cli(['evaluate', f, f, '--data', photos, '--score', '0.3']);
  assert.equal(stray.code, 2);
  assert.match(stray.err, /--score only applies with --task detect/);
  const labels = await cli(['evaluate', f, f, '--data', photos, '--task', 'detect', '--labels', join(dir, 'nowhere')]);
  assert.equal(labels.code, 2);
  assert.match(labels.err, /Labels folder not found/);
});
