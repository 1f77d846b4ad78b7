// The guide's YOLOv8 scenario, import side: a YOLOv8-nano-style Keras functional model (tf.split
// C2f blocks, SPPF, DFL head, slices with '...' and negative indices, constants, three SiLU
// spellings) written as a Keras 2 `.h5` and as a `.keras` archive converts to a float .tflite
// that matches TensorFlow.js running the same network (≥ 100 dB) in both TFLite runtimes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { mainGraph, getTensor } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { writeKeras3, writeKerasH5 } from './keras-files';
import { buildYolov8, statisticsImages, syntheticImage } from './yolov8-model';

test('YOLOv8-style Keras model (.h5 and .keras, TFOpLambda/SlicingOpLambda) → float .tflite matches TF.js ≥ 100 dB in both runtimes', async (t) => {
  const tf = await initTfjs();
  const statistics = await statisticsImages(tf);
  const model = buildYolov8(tf, statistics.images);
  model.dispose();
  statistics.images.dispose();
  t.diagnostic(`BatchNorm statistics from ${statistics.source}`);
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
