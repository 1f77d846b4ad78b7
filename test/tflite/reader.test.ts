// Model-zoo manifest (netron test/models.json style): every .tflite/.bin under the fixtures
// folder with what it must yield. Expected op histograms, tensor counts and constant bytes
// were taken from `flatc --json` dumps (an independent decoder), not from our reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readTflite } from '../../src-main/tflite/reader';
import { TfliteFormatError } from '../../src-main/tflite/errors';
import { InputError } from '../../src-main/errors';
import { elementCount, opHistogram, type ModelGraph } from '../../src-main/graph/model-graph';
import { FIXTURES_ABSENT, fixture, fixturesDir, haveFixtures } from './helpers';

interface Entry {
  file: string;
  graphs?: number;
  tensors?: number;
  constantBytes?: number;
  ops?: Record<string, number>;
  /** The file must be refused with one TfliteFormatError line matching this. */
  error?: RegExp;
}

const MANIFEST: Entry[] = [
  { file: 'coral/keras_lstm_mnist_ptq.tflite', graphs: 1, tensors: 29, constantBytes: 9808, ops: { FULLY_CONNECTED: 1, QUANTIZE: 2, RESHAPE: 1, SOFTMAX: 1, UNIDIRECTIONAL_SEQUENCE_LSTM: 1 } },
  { file: 'coral/mobilenet_v2_1.0_224_quant.tflite', graphs: 1, tensors: 174, constantBytes: 3543276, ops: { ADD: 10, AVERAGE_POOL_2D: 1, CONV_2D: 36, DEPTHWISE_CONV_2D: 17, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'coral/movenet_single_pose_lightning_ptq.tflite', graphs: 1, tensors: 333, constantBytes: 2379524, ops: { ADD: 19, ARG_MAX: 2, CAST: 5, CONCATENATION: 2, CONV_2D: 50, DEPTHWISE_CONV_2D: 24, DEQUANTIZE: 4, DIV: 1, FLOOR_DIV: 2, GATHER_ND: 4, LOGISTIC: 2, MUL: 7, PACK: 3, QUANTIZE: 8, RESHAPE: 12, RESIZE_BILINEAR: 3, SQRT: 1, SUB: 6, UNPACK: 2 } },
  { file: 'litert-testdata/0_subgraphs.bin', graphs: 0, tensors: 0, constantBytes: 0, ops: {} },
  { file: 'litert-testdata/add.bin', graphs: 1, tensors: 3, constantBytes: 0, ops: { ADD: 2 } },
  { file: 'litert-testdata/add_quantized.bin', graphs: 1, tensors: 3, constantBytes: 0, ops: { ADD: 2 } },
  { file: 'litert-testdata/add_quantized_int8.bin', graphs: 1, tensors: 3, constantBytes: 0, ops: { ADD: 2 } },
  { file: 'litert-testdata/calibrated_single_conv_min0_max10.bin', graphs: 1, tensors: 4, constantBytes: 560, ops: { CONV_2D: 1 } },
  { file: 'litert-testdata/crafted_invalid_model.tflite', error: /crafted_invalid_model\.tflite: not a valid TFLite flatbuffer \(tensor 0 .* buffer 0 .* 0 buffers\)/ },
  { file: 'litert-testdata/custom_sinh.bin', graphs: 1, tensors: 2, constantBytes: 0, ops: { 'CUSTOM:Sinh': 1 } },
  { file: 'litert-testdata/dynamic_shapes.bin', graphs: 1, tensors: 43, constantBytes: 112, ops: { BATCH_MATMUL: 2, CAST: 1, GATHER: 1, L2_NORMALIZATION: 1, LEAKY_RELU: 1, MUL: 2, PACK: 4, RESHAPE: 3, SHAPE: 1, SOFTMAX: 1, STRIDED_SLICE: 4, TILE: 1, TRANSPOSE: 2 } },
  { file: 'litert-testdata/empty_model.bin', graphs: 1, tensors: 0, constantBytes: 0, ops: {} },
  { file: 'litert-testdata/invalid_model.bin', error: /invalid_model\.bin: not a valid TFLite flatbuffer \(missing the 'TFL3' identifier/ },
  { file: 'litert-testdata/multi_add.bin', graphs: 1, tensors: 7, constantBytes: 0, ops: { ADD: 3 } },
  { file: 'litert-testdata/multi_signatures.bin', graphs: 2, tensors: 3, constantBytes: 4, ops: { ADD: 1 } },
  { file: 'litert-testdata/softplus_flex.bin', graphs: 1, tensors: 2, constantBytes: 0, ops: { 'CUSTOM:FlexSoftplus': 1 } },
  { file: 'litert-testdata/sparse_tensor.bin', graphs: 1, tensors: 2, constantBytes: 16, ops: { 'CUSTOM:FakeOp': 1 } },
  { file: 'litert-testdata/string_input_model.bin', graphs: 1, tensors: 3, constantBytes: 8, ops: { RESHAPE: 1 } },
  { file: 'litert-testdata/test_model_broken.bin', error: /test_model_broken\.bin: not a valid TFLite flatbuffer/ },
  { file: 'litert-testdata/test_model_redux_precision.bin', graphs: 1, tensors: 6, constantBytes: 896, ops: { CONV_2D: 1, DEQUANTIZE: 2 } },
  { file: 'litert-testdata/unidirectional_sequence_lstm.bin', graphs: 1, tensors: 30, constantBytes: 216, ops: { UNIDIRECTIONAL_SEQUENCE_LSTM: 1 } },
  { file: 'litert-testdata/with_metadata.bin', graphs: 1, tensors: 3, constantBytes: 0, ops: { 'CUSTOM:NPU_OP': 1 } },
  { file: 'litert-testdata/zero_size_constant.bin', graphs: 1, tensors: 3, constantBytes: 0, ops: { RESHAPE: 1 } },
  { file: 'mediapipe/face_detection_short_range.tflite', graphs: 1, tensors: 250, constantBytes: 203132, ops: { ADD: 16, CONCATENATION: 2, CONV_2D: 21, DEPTHWISE_CONV_2D: 16, DEQUANTIZE: 74, MAX_POOL_2D: 3, PAD: 11, RELU: 17, RESHAPE: 4 } },
  { file: 'mediapipe/hand_landmark_lite.tflite', graphs: 1, tensors: 271, constantBytes: 2023432, ops: { ADD: 10, CONV_2D: 31, DEPTHWISE_CONV_2D: 16, DEQUANTIZE: 102, FULLY_CONNECTED: 4, LOGISTIC: 2, MAX_POOL_2D: 1, MEAN: 1 } },
  { file: 'mediapipe/palm_detection_lite.tflite', graphs: 1, tensors: 353, constantBytes: 1920312, ops: { ADD: 25, CONCATENATION: 2, CONV_2D: 30, DEPTHWISE_CONV_2D: 23, DEQUANTIZE: 113, MAX_POOL_2D: 4, PAD: 3, PRELU: 26, RESHAPE: 4, RESIZE_BILINEAR: 2 } },
  { file: 'mlperf-tiny/ad01/ad01_dynamic_range.tflite', graphs: 1, tensors: 31, constantBytes: 270880, ops: { FULLY_CONNECTED: 10 } },
  { file: 'mlperf-tiny/ad01/ad01_fp32.tflite', graphs: 1, tensors: 31, constantBytes: 1063456, ops: { FULLY_CONNECTED: 10 } },
  { file: 'mlperf-tiny/ad01/ad01_int8.tflite', graphs: 1, tensors: 31, constantBytes: 270880, ops: { FULLY_CONNECTED: 10 } },
  { file: 'mlperf-tiny/ad01/ad01_int8_float_io.tflite', graphs: 1, tensors: 33, constantBytes: 270880, ops: { DEQUANTIZE: 1, FULLY_CONNECTED: 10, QUANTIZE: 1 } },
  { file: 'mlperf-tiny/ad01/dcase_logmel_200x128_f32.bin', error: /not a valid TFLite flatbuffer \(missing the 'TFL3' identifier/ },
  { file: 'mlperf-tiny/kws/kws_ref_model_dynamic_range.tflite', graphs: 1, tensors: 35, constantBytes: 33592, ops: { AVERAGE_POOL_2D: 1, CONV_2D: 5, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/kws/kws_ref_model_int8.tflite', graphs: 1, tensors: 35, constantBytes: 24376, ops: { AVERAGE_POOL_2D: 1, CONV_2D: 5, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet.tflite', graphs: 1, tensors: 38, constantBytes: 310832, ops: { ADD: 3, AVERAGE_POOL_2D: 1, CONV_2D: 9, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet_quant.tflite', graphs: 1, tensors: 38, constantBytes: 78752, ops: { ADD: 3, AVERAGE_POOL_2D: 1, CONV_2D: 9, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/str_ww/str_ww_ref_model.tflite', graphs: 1, tensors: 31, constantBytes: 49420, ops: { CONV_2D: 4, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/vww/vww_96_float.tflite', graphs: 1, tensors: 89, constantBytes: 843408, ops: { AVERAGE_POOL_2D: 1, CONV_2D: 14, DEPTHWISE_CONV_2D: 13, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'mlperf-tiny/vww/vww_96_int8.tflite', graphs: 1, tensors: 89, constantBytes: 219072, ops: { AVERAGE_POOL_2D: 1, CONV_2D: 14, DEPTHWISE_CONV_2D: 13, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'tfjs/esrgan_slim_x4/group1-shard1of1.bin', error: /not a valid TFLite flatbuffer \(missing the 'TFL3' identifier/ },
  { file: 'tfjs/tfjs_e2e/gru_layers_model/weights.bin', error: /not a valid TFLite flatbuffer/ },
  { file: 'tfjs/tfjs_e2e/matmul_graph_model/weights.bin', error: /not a valid TFLite flatbuffer/ },
  { file: 'tflite-micro/hello_world_float.tflite', graphs: 1, tensors: 10, constantBytes: 1284, ops: { FULLY_CONNECTED: 3 } },
  { file: 'tflite-micro/hello_world_int8.tflite', graphs: 1, tensors: 10, constantBytes: 420, ops: { FULLY_CONNECTED: 3 } },
  { file: 'tflite-micro/micro_speech_quantized.tflite', graphs: 1, tensors: 10, constantBytes: 16704, ops: { DEPTHWISE_CONV_2D: 1, FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'tflite-micro/person_detect_bad_quantized_dimension.tflite', graphs: 1, tensors: 89, constantBytes: 218928, ops: { AVERAGE_POOL_2D: 1, CONV_2D: 14, DEPTHWISE_CONV_2D: 14, RESHAPE: 1, SOFTMAX: 1 } },
  { file: 'tflite-micro/trained_lstm.tflite', graphs: 1, tensors: 22, constantBytes: 38128, ops: { FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1, UNIDIRECTIONAL_SEQUENCE_LSTM: 1 } },
  { file: 'tflite-micro/trained_lstm_int8.tflite', graphs: 1, tensors: 27, constantBytes: 9808, ops: { FULLY_CONNECTED: 1, RESHAPE: 1, SOFTMAX: 1, UNIDIRECTIONAL_SEQUENCE_LSTM: 1 } },
];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.(tflite|bin)$/.test(entry) ? [relative(fixturesDir, path)] : [];
  });
}

/** Reads every tensor of every graph and checks its data against its shape and dtype. */
function checkAllTensors(model: ModelGraph): number {
  let constantBytes = 0;
  model.graphs.forEach((graph, g) => {
    for (const tensor of graph.tensors.values()) {
      if (!tensor.data) continue;
      if (g === 0) constantBytes += tensor.data.byteLength;
      if (tensor.dtype === 'string') continue;
      const staticCount = tensor.shape.every((d) => d >= 0) ? elementCount(tensor.shape) : tensor.data.length;
      const count = tensor.shape.some((d) => d === 0) ? 0 : staticCount;
      assert.equal(tensor.data.length, count, `${graph.name}/${tensor.name}: ${tensor.data.length} elements for shape [${tensor.shape}]`);
      if (tensor.dtype === 'float16') assert.ok(tensor.data instanceof Uint16Array, 'float16 kept as Uint16Array bits');
    }
    for (const node of graph.nodes) {
      for (const name of [...node.inputs, ...node.outputs]) if (name !== null) assert.ok(graph.tensors.has(name), `${node.name} refers to ${name}`);
    }
  });
  return constantBytes;
}

test('the manifest lists every .tflite/.bin under the fixtures folder', { skip: !haveFixtures && FIXTURES_ABSENT }, () => {
  assert.deepEqual(walk(fixturesDir).sort(), MANIFEST.map((e) => e.file).sort());
});

for (const entry of MANIFEST) {
  test(`reads ${entry.file}`, { skip: !haveFixtures && FIXTURES_ABSENT }, () => {
    const bytes = fixture(entry.file);
    const name = entry.file.split('/').pop() as string;
    if (entry.error) {
      assert.throws(
        () => readTflite(bytes, { fileName: name }),
        (error: unknown) => {
          assert.ok(error instanceof TfliteFormatError && error instanceof InputError, `typed error, got ${String(error)}`);
          assert.match(error.message, entry.error as RegExp);
          assert.equal(error.message.split('\n').length, 1);
          return true;
        },
      );
      return;
    }
    const model = readTflite(bytes, { fileName: name });
    assert.equal(model.format, 'tflite');
    assert.equal(model.graphs.length, entry.graphs);
    const main = model.graphs[0];
    assert.equal(main?.tensors.size ?? 0, entry.tensors);
    assert.deepEqual(main ? opHistogram(main) : {}, entry.ops);
    assert.equal(checkAllTensors(model), entry.constantBytes);
  });
}

test('truncating a real model anywhere gives one TfliteFormatError line, never a crash', { skip: !haveFixtures && FIXTURES_ABSENT }, () => {
  const bytes = fixture('mlperf-tiny/kws/kws_ref_model_int8.tflite');
  let refused = 0;
  for (let cut = 8; cut < bytes.length; cut += 997) {
    try {
      readTflite(bytes.subarray(0, cut), { fileName: 'cut.tflite' });
    } catch (error) {
      assert.ok(error instanceof TfliteFormatError, `cut at ${cut}: ${String(error)}`);
      assert.equal(error.message.split('\n').length, 1);
      refused++;
    }
  }
  assert.ok(refused > 40, `only ${refused} truncations refused`);
});

test('flipping bytes of a real model never throws anything but TfliteFormatError', { skip: !haveFixtures && FIXTURES_ABSENT }, () => {
  const original = fixture('tflite-micro/hello_world_int8.tflite');
  let state = 12345;
  for (let trial = 0; trial < 300; trial++) {
    const bytes = original.slice();
    for (let k = 0; k < 4; k++) {
      state = (state * 1103515245 + 12345) >>> 0;
      bytes[8 + (state % (bytes.length - 8))] = state >>> 24;
    }
    try {
      readTflite(bytes, { fileName: 'mutated.tflite' });
    } catch (error) {
      assert.ok(error instanceof TfliteFormatError, `trial ${trial}: ${String(error)}`);
    }
  }
});

test('details: FLOAT16 bits, signatures, metadata, custom and sparse tensors', { skip: !haveFixtures && FIXTURES_ABSENT }, () => {
  const hand = readTflite(fixture('mediapipe/hand_landmark_lite.tflite'));
  const fp16 = [...hand.graphs[0]!.tensors.values()].find((t) => t.dtype === 'float16');
  assert.ok(fp16?.data instanceof Uint16Array);
  assert.equal(hand.metadata.reduced_precision_support, 'fp16accfp32');

  const multi = readTflite(fixture('litert-testdata/multi_signatures.bin'));
  assert.deepEqual(multi.signatures.map((s) => [s.key, s.subgraph]), [['add', 0], ['sub', 1]]);

  const strww = readTflite(fixture('mlperf-tiny/str_ww/str_ww_ref_model.tflite'));
  assert.equal(strww.metadata.min_runtime_version, '1.14.0');
  assert.match(strww.metadata.CONVERSION_METADATA ?? '', /optimization modes \[1003\]/);
  assert.deepEqual(strww.signatures[0]?.inputs, { input_1: 'serving_default_input_1:0' });
  const dw = strww.graphs[0]!.nodes[0]!;
  assert.equal(dw.op, 'DEPTHWISE_CONV_2D');
  if (dw.op === 'DEPTHWISE_CONV_2D') assert.deepEqual(dw.options, { padding: 'VALID', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, depthMultiplier: 1, fusedActivation: 'NONE' });
  const weights = strww.graphs[0]!.tensors.get(dw.inputs[1]!)!;
  assert.equal(weights.quant?.axis, 3, 'depthwise weights per channel on axis 3');

  const flex = readTflite(fixture('litert-testdata/softplus_flex.bin'));
  const op = flex.graphs[0]!.nodes[0]!;
  assert.equal(op.op, 'CUSTOM');
  assert.equal(op.customCode, 'FlexSoftplus');

  // sparse_tensor.bin: 4x4 int8 in 2x2 blocks; CSR over block rows: row 0 has blocks at
  // columns 0 and 1, row 1 at column 1; values [1,0,0,4 | 2,3,0,0 | 5,0,0,6].
  const sparse = readTflite(fixture('litert-testdata/sparse_tensor.bin'));
  const st = sparse.graphs[0]!.tensors.get('sparse_tensor')!;
  assert.deepEqual(st.shape, [4, 4]);
  assert.deepEqual(Array.from(st.data as Int8Array), [1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 6]);

  const movenet = readTflite(fixture('coral/movenet_single_pose_lightning_ptq.tflite'));
  const argmax = movenet.graphs[0]!.nodes.find((n) => n.op === 'ARG_MAX');
  assert.equal(argmax?.op === 'ARG_MAX' ? argmax.options.outputType : undefined, 'int32');
});
