// The YOLOv8-nano-style network authored in yolov8-model.ts (640×640, [1, 84, 8400]), built once
// for the file (its BatchNorm statistics take one pass of 10 photos through every layer) and used
// by every test here:
// - import: written as a Keras 2 `.h5` and a `.keras` archive (tf.split C2f blocks, SPPF, DFL head,
//   slices with '...' and negative indices, constants, three SiLU spellings), it converts to a
//   float .tflite that matches TensorFlow.js running the same network (≥ 100 dB) in both runtimes;
// - the other forms ultralytics exports: the same network traced to TensorFlow ops and written as
//   a TF.js graph model (weights frozen) and as a TF2 SavedModel (function call, resource
//   variables in a checkpoint); their float files match TF.js, the .keras form's file and each
//   other (≥ 100 dB) in both runtimes;
// - its BatchNorm statistics describe the photos it is judged on, as a trained network's describe
//   its data: on the fixture photos (none of them among the images the statistics come from) every
//   BatchNorm output, normalised by its gamma and beta, keeps a spread near 1 and a centre near 0
//   from the first layer to the last. Statistics from one synthetic image (how the model was built
//   before) do not: the spread grows with depth;
// - the guide's int8 flow: `edgequant convert yolov8n.h5 -o yolov8n_int8.tflite --quantize int8
//   --input-type uint8 --output-type uint8 --calibration DIR --preprocess 0..1` writes a file with
//   uint8 I/O that runs in both runtimes, judged against the float model on photos; the quantizer
//   warns that the scores starve in the output's shared int8 range, and the default run measures
//   the fixes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { listImages, loadImage } from '../../src-main/data/images';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { getTensor, mainGraph } from '../../src-main/graph/model-graph';
import type { FixRecommendation } from '../../src-main/quantize/detector/types';
import { readTflite } from '../../src-main/tflite/reader';
import { convertTo, fixture, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { writeSavedModel } from '../formats/savedmodel-writer';
import { cli } from '../helpers/cli';
import { runBoth, sliceSqnr } from './fix-helpers';
import { writeKeras3, writeKerasH5 } from './keras-files';
import type { KerasGraph, Tf } from './keras-graph';
import { traceTfOps, writeTfOpsGraphModel } from './keras-to-tf-ops';
import { buildYolov8, normalisedSpread, statisticsImages, syntheticImage, YOLO_SIZE } from './yolov8-model';

const SHAPE = [1, YOLO_SIZE, YOLO_SIZE, 3];
const photos = fixture('images', 'photos');

let built: Promise<{ tf: Tf; model: KerasGraph; source: string }> | undefined;
/** The network, built on first use; no test changes it (they write, trace and run it). */
function yolov8(): Promise<{ tf: Tf; model: KerasGraph; source: string }> {
  return (built ??= (async () => {
    const tf = await initTfjs();
    const statistics = await statisticsImages(tf);
    const model = buildYolov8(tf, statistics.images);
    model.dispose();
    statistics.images.dispose();
    return { tf, model, source: statistics.source };
  })());
}

test('YOLOv8-style Keras model (.h5 and .keras, TFOpLambda/SlicingOpLambda) → float .tflite matches TF.js ≥ 100 dB in both runtimes', async (t) => {
  const { tf, model, source } = await yolov8();
  t.diagnostic(`BatchNorm statistics from ${source}`);
  const classes = new Set(model.layers.map((l) => l.className));
  for (const c of ['TFOpLambda', 'SlicingOpLambda', 'Activation', 'UpSampling2D', 'Concatenate', 'MaxPooling2D', 'Softmax']) assert.ok(classes.has(c), `the model uses ${c}`);
  const dir = tempDir('edgequant-yolov8-');
  const h5 = join(dir, 'yolov8n.h5');
  await writeKerasH5(model, h5, 'yolov8n');
  const keras = await writeKeras3(model, dir, 'yolov8n');
  const x = syntheticImage(tf, 2);
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
  const { tf, model, source } = await yolov8();
  t.diagnostic(`BatchNorm statistics from ${source}`);
  const dir = tempDir('edgequant-yolov8-forms-');
  const ops = traceTfOps(model);
  const graphModel = writeTfOpsGraphModel(ops, join(dir));
  const savedModel = writeSavedModel(ops, join(dir, 'saved_model'));
  const keras = await writeKeras3(model, dir, 'yolov8n');
  const histogram = new Map<string, number>();
  for (const item of ops.items) if (item.kind === 'op') histogram.set(item.node.op, (histogram.get(item.node.op) ?? 0) + 1);
  t.diagnostic(`TF ops: ${JSON.stringify(Object.fromEntries(histogram))}`);
  for (const op of ['SplitV', 'StridedSlice', 'ConcatV2', 'ResizeNearestNeighbor', 'Sigmoid', 'Mul', 'Softmax', 'Transpose', 'FusedBatchNormV3']) assert.ok(histogram.has(op), `the graph uses ${op}`);

  const x = syntheticImage(tf, 2);
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

test('YOLOv8-style model: on held-out photos every BatchNorm output has unit spread (statistics from a batch of photos), unlike statistics from one synthetic image', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async (t) => {
  const tf = await initTfjs();
  const entries = await listImages(photos);
  const pixels = await Promise.all(entries.map(async (e) => Float32Array.from(await loadImage(e.path, { height: YOLO_SIZE, width: YOLO_SIZE, channels: 3 }), (v) => v / 255)));
  const batch = new Float32Array(pixels.length * pixels[0]!.length);
  pixels.forEach((p, k) => batch.set(p, k * p.length));
  const judged = tf.tensor4d(batch, [pixels.length, YOLO_SIZE, YOLO_SIZE, 3]);

  const { model, source } = await yolov8();
  const spread = normalisedSpread(model, judged);
  t.diagnostic(`statistics from ${source}; on ${pixels.length} photos, median spread per BatchNorm: ${spread.map((b) => b.spread.toFixed(2)).join(' ')}; mean |centre| at most ${Math.max(...spread.map((b) => b.centre)).toFixed(2)}`);
  assert.equal(spread.length, 57);
  for (const b of spread) {
    assert.ok(b.spread > 0.5 && b.spread < 2, `${b.name}: spread ${b.spread.toFixed(2)}`);
    assert.ok(b.centre < 1, `${b.name}: centre ${b.centre.toFixed(2)}`);
  }

  const one = syntheticImage(tf, 1);
  const before = buildYolov8(tf, one);
  before.dispose();
  one.dispose();
  const old = normalisedSpread(before, judged);
  judged.dispose();
  t.diagnostic(`statistics from one synthetic image: spread ${old[0]!.spread.toFixed(2)} at the first BatchNorm, ${old.at(-1)!.spread.toFixed(2)} at the last`);
  assert.ok(old.at(-1)!.spread > 5, `one synthetic image: last spread ${old.at(-1)!.spread.toFixed(2)}`);
});

test('YOLOv8-style model: the guide\'s int8 uint8-I/O flow runs in both runtimes; the mixed-range warning fires; the fixes are measured', { skip: !existsSync(photos) && `fixture photos absent (${photos})` }, async (t) => {
  const { model, source } = await yolov8();
  t.diagnostic(`BatchNorm statistics from ${source}`);
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
