// Detector fixes on the tiny YOLO head (64×64, boxes in pixels concatenated with sigmoid scores,
// laid out [1, 4+C, N]), through the CLI and real runtimes: the quantizer warns that the scores
// starve in the shared int8 range; the default conversion measures every fix and recommends one
// without applying it; --detector-fix split / head-float / head-int16 each write what they say.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { loadImage, listImages } from '../../src-main/data/images';
import { mainGraph, opHistogram } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { concatAxis } from '../../src-main/graph/axis-layout';
import { fixture, tempDir } from '../convert/helpers';
import { runBoth, sliceSqnr } from './fix-helpers';
import { TINY, writeTinyYolo } from './tiny-yolo';

const photos = fixture('images', 'photos');
const skip = !existsSync(photos) && `fixture photos absent (${photos})`;

test('tiny YOLO: the mixed-range warning, the measured recommendation, and each --detector-fix in both runtimes', { skip }, async (t) => {
  const dir = tempDir('edgequant-detfix-');
  const h5 = await writeTinyYolo(dir);
  const common = ['--quantize', 'int8', '--calibration', photos, '--preprocess', '0..1'];
  const file = (name: string) => join(dir, `${name}.tflite`);
  assert.equal((await cli(['convert', h5, '-o', file('float')])).code, 0);

  const plain = await cli(['convert', h5, '-o', file('default'), ...common]);
  assert.equal(plain.code, 0, plain.err);
  t.diagnostic(plain.out.split('\n').filter((l) => /detector|warning|none:|split:|head-/.test(l)).join('\n'));
  const levels = /output '([^']+)': scores use (\d+) of 256 int8 levels \(range [\d.]+–[\d.]+ in a [-\d.]+–[\d.]+ tensor\)/.exec(plain.out);
  assert.ok(levels, 'the mixed-range warning with its figures');
  assert.ok(Number(levels[2]) < 32, `scores use ${levels[2]} levels`);
  assert.match(plain.out, /detector fix: none/);
  assert.match(plain.out, /detector fixes measured on \d+ held-out sample\(s\) in litert-js \(yolov8 decoder, vs float detections\)/);
  for (const fix of ['none', 'split', 'head-int16', 'head-float']) assert.match(plain.out, new RegExp(`\\n\\s+${fix}: mAP@0\\.5 [\\d.]+`), `${fix} measured`);
  // none keeps mAP@0.5 here but loses mAP@0.5:0.95 (scores on 6 levels reorder boxes); split keeps both.
  assert.match(plain.out, /recommended: --detector-fix (split|head-int16|head-float) \(not applied: this file was written with none\)/);
  assert.equal(mainGraph(readTflite(new Uint8Array(readFileSync(file('default'))))).outputs.length, 1, 'the default file keeps its one output');

  const split = await cli(['convert', h5, '-o', file('split'), ...common, '--detector-fix', 'split']);
  assert.equal(split.code, 0, split.err);
  assert.doesNotMatch(split.out, /scores use/, 'no mixed-range warning once split');
  const splitGraph = mainGraph(readTflite(new Uint8Array(readFileSync(file('split')))));
  const output = levels[1]!;
  assert.deepEqual(splitGraph.outputs, [`${output}_boxes`, `${output}_scores`]);
  assert.deepEqual(splitGraph.outputs.map((o) => splitGraph.tensors.get(o)!.shape), [[1, 4, 64], [1, TINY.classes, 64]]);

  // Judged against float on the photos, in both runtimes: the scores' SQNR before and after.
  const inputs = await Promise.all((await listImages(photos)).map(async (e) => Float32Array.from(await loadImage(e.path, { height: TINY.size, width: TINY.size, channels: 3 }), (v) => v / 255)));
  const shape = [1, 4 + TINY.classes, 64];
  const [floatOut, plainOut, splitOut] = await Promise.all([file('float'), file('default'), file('split')].map((f) => runBoth(f, inputs)));
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const joined = splitOut[runtime].map((o) => concatAxis([o[0]!, o[1]!], [[1, 4, 64], [1, TINY.classes, 64]], 1));
    const before = sliceSqnr(floatOut[runtime], plainOut[runtime].map((o) => o[0]!), shape, 1, 4, 4 + TINY.classes);
    const after = sliceSqnr(floatOut[runtime], joined, shape, 1, 4, 4 + TINY.classes);
    const boxes = sliceSqnr(floatOut[runtime], joined, shape, 1, 0, 4);
    t.diagnostic(`${runtime}: scores SQNR ${before.toFixed(1)} dB → ${after.toFixed(1)} dB with split (boxes ${boxes.toFixed(1)} dB), ${inputs.length} photos`);
    assert.ok(after >= 30 && after > before + 10, `${runtime}: scores ${before.toFixed(1)} → ${after.toFixed(1)} dB`);
  }

  // head-float keeps the head's nodes float32 (QUANTIZE/DEQUANTIZE around them); head-int16 gives them int16x8.
  for (const [fix, precision] of [['head-float', 'float32'], ['head-int16', 'int16x8']] as const) {
    const r = await cli(['convert', h5, '-o', file(fix), ...common, '--detector-fix', fix, '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { quantization: { layers: { node: string; op: string; precision: string; ruleBy: string }[] }; detector: { applied: string } };
    assert.equal(json.detector.applied, fix);
    const byRule = json.quantization.layers.filter((l) => l.ruleBy === 'node');
    assert.ok(byRule.some((l) => l.op === 'CONCATENATION') && byRule.some((l) => l.op === 'CONV_2D'), `${fix}: the head's concatenation and last convs: ${byRule.map((l) => l.node).join(', ')}`);
    assert.ok(byRule.every((l) => l.precision === precision), `${fix}: ${byRule.map((l) => `${l.node} ${l.precision}`).join(', ')}`);
    const outs = await runBoth(file(fix), inputs);
    for (const runtime of ['litert-js', 'tflite-node'] as const) {
      const db = sliceSqnr(floatOut[runtime], outs[runtime].map((o) => o[0]!), shape, 1, 4, 4 + TINY.classes);
      t.diagnostic(`${fix} in ${runtime}: scores ${db.toFixed(1)} dB; ops ${JSON.stringify(opHistogram(mainGraph(readTflite(new Uint8Array(readFileSync(file(fix)))))))}`);
      assert.ok(db >= 30, `${fix} in ${runtime}: scores ${db.toFixed(1)} dB`);
    }
  }
});

test('--detector-fix: a bad value and a float conversion are one-line input errors', { skip }, async () => {
  const dir = tempDir('edgequant-detfix-');
  const h5 = await writeTinyYolo(dir);
  const bad = await cli(['convert', h5, '-o', join(dir, 'x.tflite'), '--quantize', 'int8', '--calibration', photos, '--detector-fix', 'crop']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--detector-fix must be one of split, head-float, head-int16, none \(got 'crop'\)/);
  const none = await cli(['convert', h5, '-o', join(dir, 'x.tflite'), '--detector-fix', 'split']);
  assert.equal(none.code, 2);
  assert.match(none.err, /--detector-fix needs --quantize/);
});

test('head-int16 with --output-type uint8: the int16 head reaches the uint8 output on int8 params from its range (not its int16 scale)', { skip }, async (t) => {
  const dir = tempDir('edgequant-detfix-');
  const h5 = await writeTinyYolo(dir);
  const floatFile = join(dir, 'float.tflite');
  const uint8File = join(dir, 'head16_uint8.tflite');
  assert.equal((await cli(['convert', h5, '-o', floatFile])).code, 0);
  const r = await cli(['convert', h5, '-o', uint8File, '--quantize', 'int8', '--calibration', photos, '--preprocess', '0..1', '--output-type', 'uint8', '--detector-fix', 'head-int16']);
  assert.equal(r.code, 0, r.err);
  const inputs = await Promise.all((await listImages(photos)).slice(0, 3).map(async (e) => Float32Array.from(await loadImage(e.path, { height: TINY.size, width: TINY.size, channels: 3 }), (v) => v / 255)));
  const [f, q] = await Promise.all([runBoth(floatFile, inputs), runBoth(uint8File, inputs)]);
  const shape = [1, 4 + TINY.classes, 64];
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const boxes = sliceSqnr(f[runtime], q[runtime].map((o) => o[0]!), shape, 1, 0, 4);
    t.diagnostic(`${runtime}: boxes ${boxes.toFixed(1)} dB through the uint8 output`);
    assert.ok(boxes >= 30, `${runtime}: boxes ${boxes.toFixed(1)} dB (an int16 scale on the uint8 output clips every box)`);
  }
});
