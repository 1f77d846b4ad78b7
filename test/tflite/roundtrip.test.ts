// Official converter outputs → our reader → our writer: the rewritten file must run in the real
// runtimes with outputs identical to the original (same runtime, same inputs), keep the op
// histogram and operator versions, and stay within 1% of the original size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readOperatorCodes, readTflite } from '../../src-main/tflite/reader';
import { writeTflite } from '../../src-main/tflite/writer';
import { opHistogram } from '../../src-main/graph/model-graph';
import { getRuntime, RuntimeLoadError } from '../../src-main/runtime/index';
import type { RuntimeName } from '../../src-main/runtime/types';
import { FIXTURES_ABSENT, fixture, haveFixtures, repoRoot, sampleInput, sqnrDb } from './helpers';

interface Case {
  file: string;
  runtimes: RuntimeName[];
  /** Allowed relative size difference. */
  sizeTolerance: number;
  /** Operator versions where the official file differs from op_version.cc, with the reason. */
  versionQuirks?: Record<string, string>;
}

const CASES: Case[] = [
  { file: 'mlperf-tiny/vww/vww_96_float.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/vww/vww_96_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/resnet8/pretrainedResnet_quant.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_fp32.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/ad01/ad01_dynamic_range.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  { file: 'mlperf-tiny/kws/kws_ref_model_int8.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.01 },
  {
    file: 'mlperf-tiny/kws/kws_ref_model_dynamic_range.tflite',
    runtimes: ['litert-js', 'tflite-node'],
    sizeTolerance: 0.01,
    versionQuirks: { FULLY_CONNECTED: 'TF 2.3 versioned it as hybrid (3) but left its 768-element weights float; float FC is 1' },
  },
  { file: 'mlperf-tiny/str_ww/str_ww_ref_model.tflite', runtimes: ['litert-js', 'tflite-node'], sizeTolerance: 0.02 },
  { file: 'mediapipe/palm_detection_lite.tflite', runtimes: ['litert-js'], sizeTolerance: 0.01 },
  { file: 'tflite-micro/trained_lstm.tflite', runtimes: ['tflite-node'], sizeTolerance: 0.02 },
  { file: 'coral/movenet_single_pose_lightning_ptq.tflite', runtimes: ['tflite-node'], sizeTolerance: 0.01 },
];

const outDir = join(repoRoot, 'test-output', 'tflite-roundtrip');

for (const c of CASES) {
  test(`round trip ${c.file}`, { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
    const original = fixture(c.file);
    const model = readTflite(original);
    const written = writeTflite(model);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, c.file.split('/').pop() as string), written);

    const size = written.length / original.length - 1;
    assert.ok(Math.abs(size) <= c.sizeTolerance, `size ${original.length} → ${written.length} (${(size * 100).toFixed(2)}%)`);

    const reread = readTflite(written);
    assert.deepEqual(opHistogram(reread.graphs[0]!), opHistogram(model.graphs[0]!));
    // Versions of the ops the graph uses (official files may list unused opcodes).
    const used = Object.keys(opHistogram(model.graphs[0]!)).map((k) => k.replace(/^CUSTOM:/, ''));
    const versions = (bytes: Uint8Array) =>
      Object.fromEntries(
        readOperatorCodes(bytes)
          .map((code) => [code.customCode ?? code.builtin, code.version] as const)
          .filter(([name]) => used.includes(name) && !c.versionQuirks?.[name]),
      );
    assert.deepEqual(versions(written), versions(original), 'operator versions as the official converter set them');
    const graph = reread.graphs[0]!;
    for (const [name, tensor] of model.graphs[0]!.tensors) {
      const copy = graph.tensors.get(name);
      assert.ok(copy, `tensor ${name} kept`);
      assert.deepEqual(copy.shape, tensor.shape, `${name} shape`);
      assert.deepEqual(copy.quant, tensor.quant, `${name} quantization`);
      assert.deepEqual(copy.data, tensor.data, `${name} data`);
    }

    for (const name of c.runtimes) {
      const runtime = getRuntime(name);
      const a = await runtime.load(original);
      const b = await runtime.load(written);
      assert.deepEqual(b.inputs, a.inputs, `${name}: same inputs`);
      for (let seed = 1; seed <= 3; seed++) {
        await a.reset();
        await b.reset();
        const inputs = a.inputs.map((info, i) => sampleInput(info, seed * 10 + i));
        const expected = await a.run(inputs);
        const actual = await b.run(inputs);
        expected.forEach((out, i) => {
          assert.deepEqual(actual[i], out, `${name} output ${i} seed ${seed} (SQNR ${sqnrDb(out, actual[i]!).toFixed(1)} dB)`);
        });
      }
      a.dispose();
      b.dispose();
    }
  });
}

// Every other readable fixture: write it back; wherever a runtime runs the original, the copy
// must run there with identical outputs (custom ops, strings and bad files are refused by both).
const ZOO = [
  'coral/keras_lstm_mnist_ptq.tflite',
  'coral/mobilenet_v2_1.0_224_quant.tflite',
  'litert-testdata/add.bin',
  'litert-testdata/add_quantized.bin',
  'litert-testdata/add_quantized_int8.bin',
  'litert-testdata/calibrated_single_conv_min0_max10.bin',
  'litert-testdata/custom_sinh.bin',
  'litert-testdata/dynamic_shapes.bin',
  'litert-testdata/empty_model.bin',
  'litert-testdata/multi_add.bin',
  'litert-testdata/multi_signatures.bin',
  'litert-testdata/softplus_flex.bin',
  'litert-testdata/sparse_tensor.bin',
  'litert-testdata/string_input_model.bin',
  'litert-testdata/test_model_redux_precision.bin',
  'litert-testdata/unidirectional_sequence_lstm.bin',
  'litert-testdata/with_metadata.bin',
  'litert-testdata/zero_size_constant.bin',
  'mediapipe/face_detection_short_range.tflite',
  'mediapipe/hand_landmark_lite.tflite',
  'mlperf-tiny/ad01/ad01_int8_float_io.tflite',
  'tflite-micro/hello_world_float.tflite',
  'tflite-micro/hello_world_int8.tflite',
  'tflite-micro/micro_speech_quantized.tflite',
  'tflite-micro/trained_lstm_int8.tflite',
];

test('round trip of the rest of the model zoo runs identically wherever the original runs', { skip: !haveFixtures && FIXTURES_ABSENT }, async () => {
  let compared = 0;
  for (const file of ZOO) {
    const original = fixture(file);
    const model = readTflite(original);
    const written = writeTflite(model);
    assert.deepEqual(readTflite(written).graphs.map(opHistogram), model.graphs.map(opHistogram), file);
    for (const name of ['litert-js', 'tflite-node'] as const) {
      // A runtime that refuses the original (custom op, string I/O, LSTM in LiteRT) is skipped.
      const a = await getRuntime(name)
        .load(original)
        .catch((error: unknown) => {
          if (error instanceof RuntimeLoadError) return null;
          throw error;
        });
      if (!a) continue;
      const b = await getRuntime(name).load(written);
      const inputs = a.inputs.map((info, i) => sampleInput(info, i + 1));
      assert.deepEqual(await b.run(inputs), await a.run(inputs), `${name} ${file}`);
      compared++;
    }
  }
  assert.ok(compared >= 35, `compared ${compared} runtime/model pairs`);
});
