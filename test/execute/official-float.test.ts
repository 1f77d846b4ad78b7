// The interpreter against the real TFLite runtime (TFLite C library in tfjs-tflite-node) on
// official float .tflite files read into the IR: every output must agree to ≥ 60 dB SQNR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TFLiteNodeModelRunner } from 'tfjs-tflite-node';
import { createExecutor } from '../../src-main/graph/execute';
import { elementCount, mainGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import { sqnrDb } from '../../src-main/validation/sqnr';

const fixtures = join(import.meta.dirname, '../../../shared/fixtures');

const MODELS = [
  'mlperf-tiny/vww/vww_96_float.tflite', // conv, depthwise, avg pool, FC, softmax
  'mlperf-tiny/resnet8/pretrainedResnet.tflite', // residual ADDs
  'mlperf-tiny/ad01/ad01_fp32.tflite', // FC stack
  'tflite-micro/trained_lstm.tflite', // UNIDIRECTIONAL_SEQUENCE_LSTM
  'mediapipe/palm_detection_lite.tflite', // FP16 DEQUANTIZE, PRELU, RESIZE_BILINEAR, PAD, CONCATENATION
  'mediapipe/hand_landmark_lite.tflite', // FP16, LOGISTIC, MEAN
];

for (const rel of MODELS) {
  test(`interpreter equals TFLite on ${rel} (SQNR ≥ 60 dB per output)`, async (t) => {
    const path = join(fixtures, rel);
    if (!existsSync(path)) return t.skip('../shared/fixtures absent');
    const bytes = readFileSync(path);
    const model = readTflite(new Uint8Array(bytes), { fileName: rel });
    const graph = mainGraph(model);
    const inputs = graph.inputs.map((name, k) =>
      Float32Array.from({ length: elementCount(graph.tensors.get(name)!.shape) }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37 + k)),
    );
    const executor = await createExecutor(model);
    const ours = await executor.run(inputs);
    executor.dispose();
    const runner = new TFLiteNodeModelRunner(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { threads: 1 });
    runner.getInputs().forEach((tensor, i) => (tensor.data() as Float32Array).set(inputs[i]!));
    runner.infer();
    const reference = runner.getOutputs();
    assert.equal(reference.length, ours.length);
    reference.forEach((tensor, i) => {
      const ref = tensor.data() as Float32Array;
      assert.equal(ours[i]!.length, ref.length, `output ${i} size`);
      const db = sqnrDb(ref, ours[i]!);
      assert.ok(db >= 60, `${rel} output ${i} (${tensor.name}): ${db.toFixed(1)} dB`);
    });
  });
}
