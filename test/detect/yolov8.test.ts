// The YOLOv8-nano-style network authored in yolov8-model.ts (640×640, [1, 84, 8400]) with the
// weights it was trained with on scenes of shapes (shapes/README.md), built once for the file and
// used by every test here:
// - import: written as a Keras 2 `.h5` and a `.keras` archive (tf.split C2f blocks, SPPF, DFL head,
//   slices with '...' and negative indices, constants, three SiLU spellings), it converts to a
//   float .tflite that matches TensorFlow.js running the same network (≥ 100 dB) in both runtimes;
// - the other forms ultralytics exports: the same network traced to TensorFlow ops and written as
//   a TF.js graph model (weights frozen) and as a TF2 SavedModel (function call, resource
//   variables in a checkpoint); their float files match TF.js, the .keras form's file and each
//   other (≥ 100 dB) in both runtimes;
// - its trained BatchNorm statistics describe the scenes it is judged on (shapes on photos none of
//   which it was trained on): every BatchNorm output, normalised by its gamma and beta, keeps a
//   spread near 1 and a centre near 0 from the first layer to the last;
// - the guide's int8 flow: `edgequant convert yolov8n.h5 -o yolov8n_int8.tflite --quantize int8
//   --input-type uint8 --output-type uint8 --calibration DIR --preprocess 0..1` writes a file with
//   uint8 I/O that runs in both runtimes; the quantizer warns that the scores starve in the
//   output's shared int8 range, the default run measures the fixes and recommends the split, which
//   keeps the float detections; `evaluate --task detect --labels` judges float and int8 against
//   the scenes' boxes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { getTensor, mainGraph } from '../../src-main/graph/model-graph';
import type { DetectionMetrics } from '../../src-main/detect/ap';
import type { DetectionSection } from '../../src-main/detect/report-types';
import type { FixRecommendation } from '../../src-main/quantize/detector/types';
import { readTflite } from '../../src-main/tflite/reader';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { writeSavedModel } from '../formats/savedmodel-writer';
import { cli } from '../helpers/cli';
import { runBoth, sliceSqnr } from './fix-helpers';
import { writeKeras3, writeKerasH5 } from './keras-files';
import type { KerasGraph, Tf } from './keras-graph';
import { traceTfOps, writeTfOpsGraphModel } from './keras-to-tf-ops';
import { drawScene } from './shapes/scenes';
import { judgingScenes, sceneInputs, writeScenes } from './shapes/judging-scenes';
import { WeightStream } from './shapes/trained-weights';
import { buildYolov8, normalisedSpread, YOLO_SIZE } from './yolov8-model';

const SHAPE = [1, YOLO_SIZE, YOLO_SIZE, 3];

let built: Promise<{ tf: Tf; model: KerasGraph }> | undefined;
/** The network, built on first use; no test changes it (they write, trace and run it). */
function yolov8(): Promise<{ tf: Tf; model: KerasGraph }> {
  return (built ??= (async () => {
    const tf = await initTfjs();
    const probe = sceneTensor(tf, 0);
    const model = buildYolov8(tf, probe, WeightStream.load());
    model.dispose();
    probe.dispose();
    return { tf, model };
  })());
}

/** A scene of shapes on a synthetic background as a [1, 640, 640, 3] tensor in [0, 1]. */
function sceneTensor(tf: Tf, seed: number): import('@tensorflow/tfjs').Tensor {
  return tf.tensor4d(sceneInputs([drawScene({ size: YOLO_SIZE, seed })])[0]!, SHAPE as [number, number, number, number]);
}

test('YOLOv8-style Keras model (.h5 and .keras, TFOpLambda/SlicingOpLambda) → float .tflite matches TF.js ≥ 100 dB in both runtimes', async (t) => {
  const { tf, model } = await yolov8();
  const classes = new Set(model.layers.map((l) => l.className));
  for (const c of ['TFOpLambda', 'SlicingOpLambda', 'Activation', 'UpSampling2D', 'Concatenate', 'MaxPooling2D', 'Softmax']) assert.ok(classes.has(c), `the model uses ${c}`);
  const dir = tempDir('edgequant-yolov8-');
  const h5 = join(dir, 'yolov8n.h5');
  await writeKerasH5(model, h5, 'yolov8n');
  const keras = await writeKeras3(model, dir, 'yolov8n');
  const x = sceneTensor(tf, 2);
  const input = Float32Array.from(x.dataSync());
  const [out] = model.forward(x);
  const reference = Float32Array.from(out!.dataSync());
  tf.dispose([x, out!]);
  // Boxes in pixels next to scores in (0, 1): the mixed-range output of a real YOLOv8 export.
  const boxes = reference.subarray(0, 4 * 8400);
  const scores = reference.subarray(4 * 8400);
  const range = (a: Float32Array) => a.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  const [, boxMax] = range(boxes);
  const [scoreMin, scoreMax] = range(scores);
  t.diagnostic(`boxes up to ${boxMax.toFixed(0)} px, scores ${scoreMin.toFixed(4)}..${scoreMax.toFixed(4)}`);
  assert.ok(boxMax > 100 && scoreMax <= 1 && scoreMin >= 0 && scoreMax > 0.05, 'boxes in pixels, scores in [0, 1]');
  for (const file of [h5, keras]) {
    const result = await convertTo(dir, file, { output: join(dir, `${file.endsWith('.h5') ? 'h5' : 'keras'}.tflite`) });
    for (const op of ['SPLIT', 'STRIDED_SLICE', 'CONCATENATION', 'RESIZE_NEAREST_NEIGHBOR', 'MAX_POOL_2D', 'SOFTMAX', 'LOGISTIC', 'TRANSPOSE']) {
      assert.ok(result.opHistogram[op], `${file}: ${op} in ${JSON.stringify(result.opHistogram)}`);
    }
    const bytes = new Uint8Array(readFileSync(result.output));
    const graph = mainGraph(readTflite(bytes));
    assert.deepEqual(getTensor(graph, graph.outputs[0]!).shape, [1, 84, 8400]);
    for (const runtime of ['litert-js', 'tflite-node'] as const) {
      const got = await runTflite(bytes, [input], runtime);
      const db = sqnrDb([reference], got);
      t.diagnostic(`${file.split('/').pop()} in ${runtime}: ${db.toFixed(1)} dB, ${graph.nodes.length} ops`);
      assert.ok(db >= 100, `${file} in ${runtime}: SQNR ${db.toFixed(1)} dB < 100 dB`);
    }
  }
});

test('YOLOv8-style network as a TF.js graph model and a SavedModel → float .tflite files match TF.js, the .keras file and each other ≥ 100 dB in both runtimes', async (t) => {
  const { tf, model } = await yolov8();
  const dir = tempDir('edgequant-yolov8-forms-');
  const ops = traceTfOps(model);
  const graphModel = writeTfOpsGraphModel(ops, join(dir));
  const savedModel = writeSavedModel(ops, join(dir, 'saved_model'));
  const keras = await writeKeras3(model, dir, 'yolov8n');
  const histogram = new Map<string, number>();
  for (const item of ops.items) if (item.kind === 'op') histogram.set(item.node.op, (histogram.get(item.node.op) ?? 0) + 1);
  t.diagnostic(`TF ops: ${JSON.stringify(Object.fromEntries(histogram))}`);
  for (const op of ['SplitV', 'StridedSlice', 'ConcatV2', 'ResizeNearestNeighbor', 'Sigmoid', 'Mul', 'Softmax', 'Transpose', 'FusedBatchNormV3']) assert.ok(histogram.has(op), `the graph uses ${op}`);

  const x = sceneTensor(tf, 2);
  const input = Float32Array.from(x.dataSync());
  const [out] = model.forward(x);
  const reference = Float32Array.from(out!.dataSync());
  tf.dispose([x, out!]);
  // The traced graph itself, run by TF.js' graph executor, is the Keras network.
  const [graphInTfjs] = await runGraphModelInTfjs(graphModel, [input], [SHAPE]);
  assert.ok(sqnrDb([reference], [graphInTfjs!]) >= 100, `graph model in TF.js: ${sqnrDb([reference], [graphInTfjs!]).toFixed(1)} dB`);

  const files: Record<string, Uint8Array> = {};
  for (const [form, path] of [['keras', keras], ['graph-model', graphModel], ['savedmodel', savedModel]] as const) {
    const result = await convertTo(dir, path, { output: join(dir, `${form}.tflite`) });
    files[form] = new Uint8Array(readFileSync(result.output));
    const graph = mainGraph(readTflite(files[form]!));
    assert.deepEqual(getTensor(graph, graph.outputs[0]!).shape, [1, 84, 8400], `${form}: output shape`);
    t.diagnostic(`${form}: ${graph.nodes.length} ops ${JSON.stringify(result.opHistogram)}`);
  }
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const outputs: Record<string, Float32Array[]> = {};
    for (const [form, bytes] of Object.entries(files)) outputs[form] = await runTflite(bytes, [input], runtime);
    for (const form of ['graph-model', 'savedmodel']) {
      const vsTfjs = sqnrDb([reference], outputs[form]!);
      const vsKeras = sqnrDb(outputs['keras']!, outputs[form]!);
      t.diagnostic(`${form} in ${runtime}: ${vsTfjs.toFixed(1)} dB vs TF.js, ${vsKeras.toFixed(1)} dB vs the .keras file`);
      assert.ok(vsTfjs >= 100, `${form} in ${runtime}: ${vsTfjs.toFixed(1)} dB vs TF.js`);
      assert.ok(vsKeras >= 100, `${form} in ${runtime}: ${vsKeras.toFixed(1)} dB vs the .keras file`);
    }
    const between = sqnrDb(outputs['graph-model']!, outputs['savedmodel']!);
    t.diagnostic(`graph model vs SavedModel in ${runtime}: ${between.toFixed(1)} dB`);
    assert.ok(between >= 100, `graph model vs SavedModel in ${runtime}: ${between.toFixed(1)} dB`);
  }
});

test('YOLOv8-style model: its trained BatchNorm statistics describe the scenes it is judged on (unit spread, zero centre, first layer to last)', async (t) => {
  const { tf, model } = await yolov8();
  const { scenes, source } = await judgingScenes(YOLO_SIZE, 4, 500);
  const batch = new Float32Array(scenes.length * YOLO_SIZE * YOLO_SIZE * 3);
  sceneInputs(scenes).forEach((x, k) => batch.set(x, k * x.length));
  const judged = tf.tensor4d(batch, [scenes.length, ...SHAPE.slice(1)] as [number, number, number, number]);
  const spread = normalisedSpread(model, judged);
  judged.dispose();
  t.diagnostic(`${scenes.length} scenes (${source}); median spread per BatchNorm: ${spread.map((b) => b.spread.toFixed(2)).join(' ')}; mean |centre| at most ${Math.max(...spread.map((b) => b.centre)).toFixed(2)}`);
  assert.equal(spread.length, 57);
  for (const b of spread) {
    assert.ok(b.spread > 0.5 && b.spread < 2, `${b.name}: spread ${b.spread.toFixed(2)}`);
    assert.ok(b.centre < 1, `${b.name}: centre ${b.centre.toFixed(2)}`);
  }
});

const CALIBRATION_SCENES = 25;
const VALIDATION_SCENES = 12;

test('YOLOv8-style model: the guide\'s int8 uint8-I/O flow runs in both runtimes; the mixed-range warning fires; split lifts the scores from 0 to ≥ 20 dB and keeps the float detections; evaluate --labels judges float and int8 against the scenes\' boxes', async (t) => {
  const { model } = await yolov8();
  const dir = tempDir('edgequant-yolov8-int8-');
  const calibration = await judgingScenes(YOLO_SIZE, CALIBRATION_SCENES, 1000);
  const validation = await judgingScenes(YOLO_SIZE, VALIDATION_SCENES, 2000);
  const [calibrationDir, validationDir, labelsDir] = ['calibration', 'validation', 'labels'].map((d) => join(dir, d)) as [string, string, string];
  await writeScenes(calibration.scenes, YOLO_SIZE, calibrationDir);
  await writeScenes(validation.scenes, YOLO_SIZE, validationDir, labelsDir);
  t.diagnostic(`${CALIBRATION_SCENES} calibration and ${VALIDATION_SCENES} validation scenes: ${calibration.source}`);
  const h5 = join(dir, 'yolov8n.h5');
  await writeKerasH5(model, h5, 'yolov8n');
  const floatFile = join(dir, 'yolov8n_float.tflite');
  const int8File = join(dir, 'yolov8n_int8.tflite');
  const guide = ['--quantize', 'int8', '--input-type', 'uint8', '--output-type', 'uint8', '--calibration', calibrationDir, '--preprocess', '0..1'];
  assert.equal((await cli(['convert', h5, '-o', floatFile])).code, 0);
  const r = await cli(['convert', h5, '-o', int8File, ...guide, '--json']);
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
  t.diagnostic(`recommended: ${rec.best} (${rec.samples} held-out scenes)`);
  const fix = (name: string) => rec.fixes.find((f) => f.fix === name)!;
  const scores = (name: string) => fix(name).parts.find((p) => p.name.endsWith(':scores'))!.sqnrDb;
  assert.ok(scores('none') < 3, `the shared range starves the scores: ${scores('none').toFixed(1)} dB`);
  // Measured 2026-12-04: 0.0 → 26.3 dB (5 held-out scenes on photos; 33.1 dB on synthetic
  // backgrounds, ../shared absent). Not the issue's 30 dB on photos: the int8
  // rounding of 233 tensors adds up (int16x8 gives 39.5 dB; README, "YOLOv8").
  assert.ok(scores('split') >= 20, `split lifts the scores: ${scores('none').toFixed(1)} → ${scores('split').toFixed(1)} dB`);
  assert.ok(fix('split').map50! >= 0.9, `split keeps the float detections: mAP@0.5 ${fix('split').map50}`);
  assert.equal(rec.best, 'split');

  // The split file judged by `evaluate --task detect` against the scenes' labels and the float model.
  const splitFile = join(dir, 'yolov8n_int8_split.tflite');
  assert.equal((await cli(['convert', h5, '-o', splitFile, ...guide, '--detector-fix', 'split'])).code, 0);
  const e = await cli(['evaluate', floatFile, splitFile, '--data', validationDir, '--labels', labelsDir, '--preprocess', '0..1', '--task', 'detect', '--decoder', 'yolov8', '--runs', '0', '--json']);
  assert.equal(e.code, 0, e.err);
  const detection = (JSON.parse(e.out) as { detection: DetectionSection }).detection;
  const figures = (m: DetectionMetrics) => `mAP@0.5 ${m.map50?.toFixed(3)}, mAP@0.5:0.95 ${m.map5095?.toFixed(3)}, ${m.matched}/${m.truths} found, ${m.extra} extra`;
  t.diagnostic(`float vs labels: ${figures(detection.floatVsLabels!)}; int8 (split) vs labels: ${figures(detection.quantVsLabels!)}; int8 vs float: ${figures(detection.quantVsFloat)}`);
  // Measured 2026-12-04 on 12 scenes on photos: float 0.954 vs labels, int8 (split) 0.909; int8 vs
  // float 0.876. On synthetic backgrounds (../shared absent): 0.896, 0.851; 0.950.
  assert.ok(detection.floatVsLabels!.map50! >= 0.85, 'the trained detector finds the shapes');
  assert.ok(detection.quantVsLabels!.map50! >= detection.floatVsLabels!.map50! - 0.08, 'int8 (split) finds the shapes about as well as float');
  assert.ok(detection.quantVsFloat.map50! >= 0.8, 'int8 (split) keeps most float detections');

  // The guide's file (no fix) against float on two scenes in both runtimes, through its uint8 I/O.
  const inputs = sceneInputs(validation.scenes.slice(0, 2));
  const [floatOut, int8Out] = await Promise.all([runBoth(floatFile, inputs), runBoth(int8File, inputs)]);
  const shape = [1, 84, 8400];
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const boxes = sliceSqnr(floatOut[runtime], int8Out[runtime].map((o) => o[0]!), shape, 1, 0, 4);
    const s = sliceSqnr(floatOut[runtime], int8Out[runtime].map((o) => o[0]!), shape, 1, 4, 84);
    t.diagnostic(`${runtime}: int8 vs float on ${inputs.length} scenes: boxes ${boxes.toFixed(1)} dB, scores ${s.toFixed(1)} dB`);
    assert.ok(int8Out[runtime].every((o) => o[0]!.length === 84 * 8400 && o[0]!.every(Number.isFinite)));
    // Every anchor's box counts, background ones too: 28–29 dB on photos, 19.8 dB on synthetic backgrounds.
    assert.ok(boxes >= 15, `${runtime}: boxes ${boxes.toFixed(1)} dB`);
  }
});
