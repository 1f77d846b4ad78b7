// A project run judged as a detector: with the task on auto, a model whose output is a YOLO head
// is recognised from its shapes and the run's one evaluation pass decodes both models' boxes; the
// record keeps mAP (vs float, vs labels), per-class AP, the boxes of the first images, the
// pictures they were found in and the board snippets. A classifier on auto stays a classifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { convertAsProjectRun } from '../../src-main/app/convert-run';
import { inputToPixels } from '../../src-main/app/detect-pictures';
import { RECORD_BOXES, type DetectionPictures } from '../../src-main/detect/run-record';
import { PICTURES_FILE, recognisedHead } from '../../src-main/app/detect-run';
import { judgeDetector } from '../../src-main/app/detect-verdict';
import type { DetectionMetrics } from '../../src-main/detect/ap';
import type { ConvertRequest } from '../../src-main/convert/types';
import type { DetectionSection } from '../../src-main/detect/report-types';
import type { ProjectConvertParams } from '../../src-main/projects/api-contract';
import { initProject } from '../../src-main/projects/index';
import { jobParamSchemas } from '../../src-main/api/schemas';
import { demoData, ensureBuilt, repoRoot } from '../helpers/build';
import { TINY, writeTinyYolo } from '../detect/tiny-yolo';

const images = join(repoRoot, '..', 'shared', 'fixtures', 'images');
const photos = join(images, 'photos');
const coral = join(images, 'coral');
const skip = !existsSync(coral) && `fixture images absent (${images})`;

const int8 = (model: string): ConvertRequest => ({
  model,
  output: join(tmpdir(), 'unused.tflite'),
  quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'nearest', calibration: { path: photos, preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
});

async function workspace(): Promise<{ dir: string; project: string; model: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'eq-detect-run-'));
  const project = join(dir, 'project');
  initProject(project);
  return { dir, project, model: await writeTinyYolo(dir) };
}

const io = (input: number[], ...outputs: number[][]) => ({
  inputs: [{ name: 'x', dtype: 'float32', shape: input }],
  outputs: outputs.map((shape, k) => ({ name: `y${k}`, dtype: 'float32', shape })),
});

test('auto recognises detector heads from their shapes only when they fit the input', () => {
  assert.equal(recognisedHead(io([1, 640, 640, 3], [1, 84, 8400])), 'yolov8');
  assert.equal(recognisedHead(io([1, 64, 64, 3], [1, 7, 64])), 'yolov8');
  assert.equal(recognisedHead(io([1, 224, 224, 3], [1, 1000])), undefined, 'a classifier');
  assert.equal(recognisedHead(io([1, 64, 64, 3], [1, 10, 30])), undefined, 'a point count that is no stride grid of the input');
  assert.equal(recognisedHead(io([1, 28, 28], [1, 10])), undefined, 'not an image input');
  const nanodet = [[1, 2704, 80], [1, 2704, 32], [1, 676, 80], [1, 676, 32], [1, 169, 80], [1, 169, 32]];
  assert.equal(recognisedHead(io([1, 3, 416, 416], ...nanodet)), 'nanodet');
  assert.equal(recognisedHead(io([1, 300, 300, 3], [1, 10, 4], [1, 10], [1, 10], [1])), 'ssd');
});

test('a picture is the input as the model saw it, NHWC or NCHW alike', () => {
  const h = 2, w = 4;
  const nhwc = Float32Array.from({ length: h * w * 3 }, (_, i) => (i % 7) / 6);
  const nchw = new Float32Array(nhwc.length);
  for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) nchw[c * h * w + i] = nhwc[i * 3 + c]!;
  const a = inputToPixels(nhwc, [1, h, w, 3]);
  const b = inputToPixels(nchw, [1, 3, h, w]);
  assert.deepEqual([b.width, b.height, b.channels], [w, h, 3]);
  assert.deepEqual([...b.pixels], [...a.pixels]);
  assert.equal(Math.max(...a.pixels), 255);
});

test('a YOLO-head model run on auto keeps mAP, per-class AP, bounded boxes, pictures and snippets; labels add mAP against them', { skip }, async () => {
  const { dir, project, model } = await workspace();
  const params: ProjectConvertParams = { project, request: int8(model), evaluateData: coral, benchRuns: 0 };
  const { run, evaluation } = await convertAsProjectRun(params);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  const d = run.detection;
  assert.ok(d, 'the run record keeps a detection section');
  assert.equal(d.decoder, 'yolov8');
  assert.equal(d.chosenBy, 'output shapes');
  assert.deepEqual([d.inputWidth, d.inputHeight], [TINY.size, TINY.size]);
  assert.equal(d.imagesTotal, 10);
  assert.equal(d.images.length, 10);
  assert.ok(d.images.every((im) => im.float.length <= RECORD_BOXES && im.quant.length <= RECORD_BOXES));
  // Per image what changed; over all images the run's missed and extra boxes.
  assert.equal(d.images.reduce((n, im) => n + im.missed, 0), d.quantVsFloat.missed);
  assert.equal(d.images.reduce((n, im) => n + im.extra, 0), d.quantVsFloat.extra);
  assert.ok(d.quantVsFloat.truths > 0, 'the float model finds boxes on the photos');
  const m = d.quantVsFloat;
  assert.ok(m.map50 !== null && m.map50 >= 0 && m.map50 <= 1, `mAP@0.5 ${m.map50}`);
  assert.equal(run.metrics['map50'], m.map50);
  assert.equal(run.metrics['map5095'], m.map5095);
  assert.equal(run.metrics['missedBoxes'], m.missed);
  assert.ok(m.perClass.length > 0 && m.perClass.every((c) => c.classId >= 0 && c.classId < TINY.classes));
  // The full evaluation report keeps every box; the record the same figures.
  const full = (evaluation as unknown as { detection: DetectionSection }).detection;
  assert.equal(full.quantVsFloat.map50, m.map50);
  // Pictures: one JPEG per recorded image, the input's size.
  assert.equal(d.picturesFile, PICTURES_FILE);
  assert.ok(run.artifacts.some((a) => a.name === PICTURES_FILE));
  const pictures = JSON.parse(readFileSync(join(project, 'runs', run.id, PICTURES_FILE), 'utf8')) as DetectionPictures;
  assert.deepEqual(pictures.images.map((p) => p.source), d.images.map((im) => im.source));
  const meta = await sharp(Buffer.from(pictures.images[0]!.jpegBase64, 'base64')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', TINY.size, TINY.size]);
  assert.deepEqual(run.verdict, judgeDetector(full), 'a detector run is judged by its boxes');
  assert.match(d.snippets!.python, /def detect\(outputs\)/);
  assert.match(d.snippets!.cpp, /namespace detector/);
  console.log(`tiny YOLO int8 project run on ${m.images} coral photos: mAP@0.5 ${m.map50?.toFixed(3)}, mAP@0.5:0.95 ${m.map5095?.toFixed(3)}, missed ${m.missed}, extra ${m.extra}`);

  // Labels made from the float boxes (YOLO txt): the float model scores 1 against them.
  const labels = join(dir, 'labels');
  mkdirSync(labels);
  for (const im of full.images) {
    const s = TINY.size;
    writeFileSync(join(labels, im.source.replace(/\.[^.]+$/, '.txt')), im.float.map((b) => `${b.classId} ${(b.x1 + b.x2) / 2 / s} ${(b.y1 + b.y2) / 2 / s} ${(b.x2 - b.x1) / s} ${(b.y2 - b.y1) / s}`).join('\n'));
  }
  writeFileSync(join(dir, 'classes.txt'), 'apple\nbanana\ncherry\n');
  const labelled = await convertAsProjectRun({ ...params, task: 'detect', detect: { decoder: 'yolov8', labels, classes: join(dir, 'classes.txt') } });
  const ld = labelled.run.detection!;
  assert.equal(ld.chosenBy, 'user');
  assert.equal(ld.labels, labels);
  assert.deepEqual(ld.classNames, ['apple', 'banana', 'cherry']);
  assert.ok(Math.abs(ld.floatVsLabels!.map50! - 1) < 1e-9);
  assert.equal(labelled.run.metrics['labelMap50'], ld.quantVsLabels!.map50);
  assert.equal(labelled.run.config['task'], 'detect');
});

test('a detector run keeps the measured fixes and its SQNR per group of the output; run again with split, its two outputs are judged against the float model\'s one: boxes decoded, SQNR per group, snippets for two outputs', { skip }, async () => {
  const { project, model } = await workspace();
  const params: ProjectConvertParams = { project, request: int8(model), evaluateData: coral, benchRuns: 0 };
  const plain = (await convertAsProjectRun(params)).run;
  const report = plain.detectorFix!;
  assert.ok(report, 'the run record keeps the detector fix report');
  assert.equal(report.applied, 'none');
  const rec = report.recommendation!;
  assert.deepEqual(rec.fixes.map((f) => f.fix), ['none', 'split', 'head-int16', 'head-float']);
  assert.equal(rec.best, 'split', `measured: ${JSON.stringify(rec.fixes)}`);
  assert.ok(plain.warnings.some((w) => /scores use \d+ of 256 int8 levels/.test(w)));
  // Its one output is judged per group too: the run's SQNR is the starved scores', not the joined figure the box pixels fill.
  const plainOutputs = plain.validation!.outputs!;
  assert.deepEqual(plainOutputs.map((o) => o.label), ['boxes', 'scores']);
  assert.equal(plain.metrics['sqnrDb'], plainOutputs[1]!.sqnrDb);
  const joined = (await convertAsProjectRun({ ...params, request: { ...params.request, detectorFix: 'none' } })).evaluation!.outputs[0]!.sqnrDb;
  assert.ok(joined > plainOutputs[1]!.sqnrDb! + 20, `joined ${joined.toFixed(1)} dB hides the scores' ${plainOutputs[1]!.sqnrDb!.toFixed(1)} dB`);

  // The request the Studio sends for "Quantize with split" passes the API's payload schema.
  const request = jobParamSchemas['project-convert'].parse({ ...params, request: { ...params.request, detectorFix: 'split' } }).request;
  assert.throws(() => jobParamSchemas['project-convert'].parse({ ...params, request: { ...params.request, detectorFix: 'boxes' } }), /detectorFix/);
  const { run } = await convertAsProjectRun({ ...params, request });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(run.detectorFix?.applied, 'split');
  assert.deepEqual(run.detectorFix?.outputs?.map((o) => o.role), ['boxes', 'scores']);
  assert.deepEqual(run.io?.outputs.map((o) => o.shape), [[1, 4, TINY.grid ** 2], [1, TINY.classes, TINY.grid ** 2]]);
  // Judged against the float model's single output: boxes decoded as for the plain run.
  const d = run.detection!;
  assert.ok(d, 'the split run is recognised as a detector from the float model\'s output');
  assert.equal(d.decoder, 'yolov8');
  assert.equal(d.quantVsFloat.truths, plain.detection!.quantVsFloat.truths, 'the same float boxes');
  assert.ok(d.quantVsFloat.map50! >= plain.detection!.quantVsFloat.map50!, `split mAP@0.5 ${d.quantVsFloat.map50} vs none ${plain.detection!.quantVsFloat.map50}`);
  // SQNR per group; the run's figure is the lower one, and the scores gain what the shared scale cost them.
  const outputs = run.validation!.outputs!;
  assert.deepEqual(outputs.map((o) => o.label), ['boxes', 'scores']);
  assert.equal(run.metrics['sqnrDb'], Math.min(...outputs.map((o) => o.sqnrDb!)));
  const measured = (fix: string) => rec.fixes.find((f) => f.fix === fix)!.parts.find((p) => p.name.endsWith(':scores'))!.sqnrDb.toFixed(1);
  assert.ok(outputs[1]!.sqnrDb! > plainOutputs[1]!.sqnrDb! + 10, `scores ${plainOutputs[1]!.sqnrDb!.toFixed(1)} dB with one scale → ${outputs[1]!.sqnrDb!.toFixed(1)} dB split (${measured('none')} → ${measured('split')} dB as measured on the held-out calibration photos)`);
  // The board snippets read the file's two outputs, each with its own scale.
  assert.match(d.snippets!.python, /def detect\(outputs\)/);
  assert.match(d.snippets!.cpp, /namespace detector/);
  const figures = (list: typeof outputs) => list.map((o) => `${o.label} ${o.sqnrDb?.toFixed(1)} dB`).join(', ');
  console.log(`tiny YOLO on the coral photos: none: mAP@0.5 ${plain.detection!.quantVsFloat.map50?.toFixed(3)}, ${figures(plainOutputs)} (joined ${joined.toFixed(1)} dB); split: mAP@0.5 ${d.quantVsFloat.map50?.toFixed(3)}, ${figures(outputs)}`);
});

test('the classification task keeps a detector-shaped model out of detection; detection on a classifier is a one-line error', { skip }, async () => {
  const { project, model } = await workspace();
  const classify = await convertAsProjectRun({ project, request: int8(model), evaluateData: coral, benchRuns: 0, task: 'classify' });
  assert.equal(classify.run.status, 'succeeded');
  assert.equal(classify.run.detection, undefined);
  assert.equal(classify.run.metrics['map50'], undefined);

  await ensureBuilt();
  const digits = demoData;
  const request: ConvertRequest = { ...int8(join(digits, 'model', 'model.json')), quantize: { ...int8(model).quantize, calibration: { path: join(digits, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } } };
  await assert.rejects(convertAsProjectRun({ project, request, benchRuns: 0, task: 'detect' }), (error: Error) => {
    assert.equal(error.name, 'DetectInputError');
    assert.match(error.message, /^Cannot tell the detector head from the outputs \[1,10\]; pick the decoder/);
    assert.equal(error.message.split('\n').length, 1);
    return true;
  });
  const auto = await convertAsProjectRun({ project, request, benchRuns: 0 });
  assert.equal(auto.run.detection, undefined, 'a classifier on auto is no detector');
});

test('without validation data a detector run is judged on the share of its calibration photos held out', { skip }, async () => {
  const { project, model } = await workspace();
  const request = int8(model);
  const { run } = await convertAsProjectRun({ project, request: { ...request, quantize: { ...request.quantize, calibration: { ...request.quantize.calibration!, path: coral } } }, benchRuns: 0 });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(run.validation?.heldOut, true);
  assert.equal(run.detection?.imagesTotal, 2, '20% of the 10 coral photos');
  assert.equal(run.detection?.quantVsFloat.images, 2);
});

const metrics = (map50: number | null, extra: Partial<DetectionMetrics> = {}): DetectionMetrics => ({ images: 10, truths: 20, detections: 20, map50, map5095: map50, perClass: [], matched: 18, meanIou: 0.9, missed: 2, extra: 2, ...extra });
const section = (m: DetectionMetrics, labels?: { quant: number; float: number }): DetectionSection => ({
  decoder: 'yolov8', inputWidth: 64, inputHeight: 64, scoreThreshold: 0.25, iouThreshold: 0.45, maxDetections: 100, quantVsFloat: m, images: [],
  ...(labels ? { quantVsLabels: metrics(labels.quant), floatVsLabels: metrics(labels.float) } : {}),
});

test('a detector is judged by mAP against the float boxes and its drop on labels, not by the raw outputs\' SQNR', () => {
  assert.deepEqual(judgeDetector(section(metrics(0.98))), { level: 'good', findings: [] });
  const warn = judgeDetector(section(metrics(0.93)));
  assert.equal(warn.level, 'warn');
  assert.match(warn.findings[0]!, /^mAP@0\.5 against the float model's boxes is 0\.930, below 0\.95 \(2 boxes missed, 2 extra\)\.$/);
  assert.match(warn.likelyCause!, /share one int8 range/);
  assert.equal(judgeDetector(section(metrics(0.6))).level, 'bad');
  assert.equal(judgeDetector(section(metrics(null, { truths: 0 }))).level, 'warn');
  assert.match(judgeDetector(section(metrics(null, { truths: 0 }))).findings[0]!, /finds no boxes scoring 0\.25 or more on the 10 validation images/);
  const drop = judgeDetector(section(metrics(0.99), { quant: 0.7, float: 0.8 }));
  assert.equal(drop.level, 'bad');
  assert.match(drop.findings[0]!, /mAP@0\.5 on the labels drops 0\.100 against float/);
  const wrongData = judgeDetector(section(metrics(0.99), { quant: 0.1, float: 0.1 }));
  assert.match(wrongData.findings[0]!, /The float model itself reaches mAP@0\.5 0\.100 on the labels/);
  assert.match(wrongData.likelyCause!, /Fix the labels or the preprocessing/);
});
