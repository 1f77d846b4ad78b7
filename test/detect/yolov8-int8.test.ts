// The guide's YOLOv8 flow on the authored YOLOv8-style model (640×640, [1, 84, 8400]):
// `edgequant convert yolov8n.h5 -o yolov8n_int8.tflite --quantize int8 --input-type uint8
// --output-type uint8 --calibration DIR --preprocess 0..1` writes a file with uint8 I/O that runs
// in both runtimes, judged against the float model on photos; the quantizer warns that the
// scores starve in the output's shared int8 range, and the default run measures the fixes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src-main/cli/main';
import { listImages, loadImage } from '../../src-main/data/images';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { mainGraph } from '../../src-main/graph/model-graph';
import type { FixRecommendation } from '../../src-main/quantize/detector/types';
import { readTflite } from '../../src-main/tflite/reader';
import { fixture, tempDir } from '../convert/helpers';
import { runBoth, sliceSqnr } from './fix-helpers';
import { writeKerasH5 } from './keras-files';
import { buildYolov8, statisticsImages, YOLO_SIZE } from './yolov8-model';

const photos = fixture('images', 'photos');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await runCli(args, { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: process.cwd(), env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('YOLOv8-style model: the guide\'s int8 uint8-I/O flow runs in both runtimes; the mixed-range warning fires; the fixes are measured', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async (t) => {
  const tf = await initTfjs();
  const statistics = await statisticsImages(tf);
  const model = buildYolov8(tf, statistics.images);
  model.dispose();
  statistics.images.dispose();
  t.diagnostic(`BatchNorm statistics from ${statistics.source}`);
  const dir = tempDir('edgequant-yolov8-int8-');
  const h5 = join(dir, 'yolov8n.h5');
  await writeKerasH5(model, h5, 'yolov8n');
  const floatFile = join(dir, 'yolov8n_float.tflite');
  const int8File = join(dir, 'yolov8n_int8.tflite');
  assert.equal((await cli(['convert', h5, '-o', floatFile])).code, 0);
  const r = await cli(['convert', h5, '-o', int8File, '--quantize', 'int8', '--input-type', 'uint8', '--output-type', 'uint8', '--calibration', photos, '--preprocess', '0..1', '--json']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as { warnings: string[]; detector: { applied: string; recommendation: FixRecommendation } };

  const graph = mainGraph(readTflite(new Uint8Array(readFileSync(int8File))));
  const io = [...graph.inputs, ...graph.outputs].map((n) => graph.tensors.get(n)!);
  assert.deepEqual(io.map((x) => x.dtype), ['uint8', 'uint8']);
  assert.deepEqual(io.map((x) => x.shape), [[1, YOLO_SIZE, YOLO_SIZE, 3], [1, 84, 8400]]);

  const warning = json.warnings.find((w) => /scores use \d+ of 256 int8 levels/.test(w));
  assert.ok(warning, `the mixed-range warning: ${json.warnings.join(' | ')}`);
  t.diagnostic(warning);
  assert.ok(Number(/scores use (\d+) of 256/.exec(warning)![1]) <= 4, warning);
  assert.ok(json.warnings.some((w) => /DFL head at '[^']+': a softmax over 16 bins/.test(w)), 'the DFL warning');
  assert.equal(json.detector.applied, 'none');
  const rec = json.detector.recommendation;
  assert.deepEqual(rec.fixes.map((f) => f.fix), ['none', 'split', 'head-int16', 'head-float']);
  for (const f of rec.fixes) t.diagnostic(`${f.fix}: ${f.error ?? `mAP@0.5 ${f.map50}, ${f.parts.map((p) => `${p.name.split(':')[1]} ${p.sqnrDb.toFixed(1)} dB`).join(', ')}`}`);
  t.diagnostic(`recommended: ${rec.best} (${rec.samples} held-out photos)`);
  const scores = (fix: string) => rec.fixes.find((f) => f.fix === fix)!.parts.find((p) => p.name.endsWith(':scores'))!.sqnrDb;
  // Measured 2026-12-03: 0.0 → 13.3 dB. Not the issue's 30 dB: the network's own noise gain (README).
  assert.ok(scores('none') < 3 && scores('split') >= 10, `split lifts the scores: ${scores('none').toFixed(1)} → ${scores('split').toFixed(1)} dB`);

  // Judged against float on two photos in both runtimes (the uint8 file through its I/O params).
  const entries = (await listImages(photos)).slice(0, 2);
  const inputs = await Promise.all(entries.map(async (e) => Float32Array.from(await loadImage(e.path, { height: YOLO_SIZE, width: YOLO_SIZE, channels: 3 }), (v) => v / 255)));
  const [floatOut, int8Out] = await Promise.all([runBoth(floatFile, inputs), runBoth(int8File, inputs)]);
  const shape = [1, 84, 8400];
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const boxes = sliceSqnr(floatOut[runtime], int8Out[runtime].map((o) => o[0]!), shape, 1, 0, 4);
    const s = sliceSqnr(floatOut[runtime], int8Out[runtime].map((o) => o[0]!), shape, 1, 4, 84);
    t.diagnostic(`${runtime}: int8 vs float on ${inputs.length} photos: boxes ${boxes.toFixed(1)} dB, scores ${s.toFixed(1)} dB`);
    assert.ok(int8Out[runtime].every((o) => o[0]!.length === 84 * 8400 && o[0]!.every(Number.isFinite)));
    assert.ok(boxes >= 25, `${runtime}: boxes ${boxes.toFixed(1)} dB`);
  }
});
