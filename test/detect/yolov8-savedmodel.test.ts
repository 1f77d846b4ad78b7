// The guide's YOLOv8 scenario in the other forms ultralytics exports: the same seeded network as
// yolov8-keras.test.ts traced to TensorFlow ops and written as a TF.js graph model (weights
// frozen) and as a TF2 SavedModel (function call, resource variables in a checkpoint). Their
// float .tflite files match TensorFlow.js running the Keras network, the .keras form's file and
// each other (≥ 100 dB), in both TFLite runtimes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { getTensor, mainGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { writeSavedModel } from '../formats/savedmodel-writer';
import { writeKeras3 } from './keras-files';
import { traceTfOps, writeTfOpsGraphModel } from './keras-to-tf-ops';
import { buildYolov8, statisticsImages, syntheticImage, YOLO_SIZE } from './yolov8-model';

const SHAPE = [1, YOLO_SIZE, YOLO_SIZE, 3];

test('YOLOv8-style network as a TF.js graph model and a SavedModel → float .tflite files match TF.js, the .keras file and each other ≥ 100 dB in both runtimes', async (t) => {
  const tf = await initTfjs();
  const statistics = await statisticsImages(tf);
  const model = buildYolov8(tf, statistics.images);
  model.dispose();
  statistics.images.dispose();
  t.diagnostic(`BatchNorm statistics from ${statistics.source}`);
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
