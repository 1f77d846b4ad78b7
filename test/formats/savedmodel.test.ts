// Keras SavedModel (mlperf-tiny KWS DS-CNN, TF 2.3) → float, int8 and dynamic .tflite, checked
// against Keras-in-TF.js (float) and the official converter's int8 and dynamic files (structure,
// weight quantization, constant bytes). Measured: the official KWS .tflite files were made from
// other trained weights than this SavedModel (every checkpoint tensor passes its CRC-32C, yet no
// folded kernel matches any official one), so weight values and outputs are compared with our own
// float model, not with the official files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertModel } from '../../src-main/convert/pipeline';
import type { ConvertRequest, QuantizeConfig } from '../../src-main/convert/types';
import { readTflite } from '../../src-main/tflite/reader';
import { mainGraph, opHistogram, type ModelGraph, type Node, type Tensor } from '../../src-main/graph/model-graph';
import { readKerasSavedModel, readSavedModel } from '../../src-main/formats/savedmodel/read';
import type { LayerCall } from '../../src-main/formats/keras/config';
import { writeNpy } from '../../src-main/data/npy';
import { kerasInTfjs, runTfjs } from '../keras/tfjs-reference';
import { fixture, hasFixtures, runTflite, sqnrDb, tempDir, top1Agreement } from '../convert/helpers';

const KWS = 'mlperf-tiny/kws';
const savedModel = () => fixture(KWS, 'kws_ref_model_savedmodel');

/** Seeded MFCC-like feature windows (49x10). The fixtures ship no KWS audio, so these serve
 *  structure checks only: dtypes, axes, weights and sizes do not depend on the sample values. */
function featureWindows(count: number, seed = 11): Float32Array[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: count }, () => {
    const x = new Float32Array(490);
    // Smooth along time so neighbouring frames correlate as real MFCCs do.
    for (let c = 0; c < 10; c++) {
      let v = -20 + 30 * (rnd() - 0.5);
      for (let t = 0; t < 49; t++) {
        v = 0.8 * v + 0.2 * (-20 + 60 * (rnd() - 0.5));
        x[t * 10 + c] = v;
      }
    }
    return x;
  });
}

function request(output: string, quantize: Partial<QuantizeConfig>): ConvertRequest {
  return {
    model: savedModel(),
    output,
    quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false, ...quantize },
  };
}

function weightBytes(model: ModelGraph): number {
  let n = 0;
  for (const t of mainGraph(model).tensors.values()) if (t.data) n += t.data.byteLength;
  return n;
}

/** Pairs the weight inputs (input 1) of ops with weights, in execution order. */
function weightPairs(ours: ModelGraph, official: ModelGraph): [Node, Tensor, Tensor][] {
  const a = mainGraph(ours);
  const b = mainGraph(official);
  const withWeights = (g: typeof a) => g.nodes.filter((n) => ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'].includes(n.op));
  const na = withWeights(a);
  const nb = withWeights(b);
  assert.deepEqual(na.map((n) => n.op), nb.map((n) => n.op), 'same weighted ops in the same order');
  return na.map((n, i) => [n, a.tensors.get(n.inputs[1]!)!, b.tensors.get(nb[i]!.inputs[1]!)!]);
}

test('KWS SavedModel → float .tflite runs in both runtimes and matches the Keras model in TF.js', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const dir = tempDir();
  const out = await convertModel(request(join(dir, 'float.tflite'), {}));
  const official = readTflite(new Uint8Array(readFileSync(fixture(KWS, 'kws_ref_model_int8.tflite'))));
  assert.deepEqual(out.opHistogram, opHistogram(mainGraph(official)), 'same ops as the official conversion');
  const bytes = new Uint8Array(readFileSync(out.output));
  const keras = readKerasSavedModel(readSavedModel(savedModel()))!;
  // TF.js has no 'L2' regularizer class; regularizers do not affect inference, so drop them.
  const config = JSON.parse(JSON.stringify(keras.modelConfig, (k: string, v: unknown) => (/_regularizer$/.test(k) ? null : v)));
  const reference = await kerasInTfjs(config, { forLayer: (call: LayerCall) => keras.weights.get(call.name) ?? [] });
  const samples = featureWindows(10);
  const expected = await runTfjs(reference, samples, [1, 49, 10, 1]);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const actual = await runTflite(bytes, samples, runtime);
    const sqnr = sqnrDb(expected, actual);
    t.diagnostic(`${runtime}: SQNR ${sqnr.toFixed(1)} dB vs Keras in TF.js`);
    assert.ok(sqnr >= 60, `${runtime}: SQNR ${sqnr.toFixed(1)} dB`);
    assert.equal(top1Agreement(expected, actual), 1);
  }
});

test('KWS SavedModel → int8 matches the official int8 file: ops, dtypes, per-channel axes, weights, size', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const dir = tempDir();
  const calibration = join(dir, 'features.npy');
  const windows = featureWindows(100, 5);
  const data = new Float32Array(100 * 490);
  windows.forEach((w, i) => data.set(w, i * 490));
  await writeNpy(calibration, { dtype: 'float32', shape: [100, 49, 10, 1], data });
  const out = await convertModel(
    request(join(dir, 'int8.tflite'), {
      mode: 'int8',
      inputType: 'int8',
      outputType: 'int8',
      calibration: { path: calibration, samples: 100, method: 'minmax', seed: 1 },
    }),
  );
  const ours = readTflite(new Uint8Array(readFileSync(out.output)));
  const officialBytes = new Uint8Array(readFileSync(fixture(KWS, 'kws_ref_model_int8.tflite')));
  const official = readTflite(officialBytes);
  assert.deepEqual(opHistogram(mainGraph(ours)), opHistogram(mainGraph(official)));
  for (const [node, a, b] of weightPairs(ours, official)) {
    assert.equal(a.dtype, b.dtype, `${node.name}: weight dtype`);
    assert.deepEqual(a.shape, b.shape, `${node.name}: weight shape`);
    assert.equal(a.quant?.scale.length, b.quant?.scale.length, `${node.name}: per-channel count`);
    assert.equal(a.quant?.axis ?? 0, b.quant?.axis ?? 0, `${node.name}: quantized dimension`);
    // Symmetric int8 weights: zero points 0 and the full [-127, 127] range used per channel.
    assert.ok(a.quant!.zeroPoint.every((z) => z === 0), `${node.name}: weight zero points`);
    const q = a.data as Int8Array;
    assert.ok(q.every((v) => v >= -127), `${node.name}: -128 unused`);
  }
  const ratio = weightBytes(ours) / weightBytes(official);
  t.diagnostic(`int8: ${out.bytes} B vs official ${officialBytes.length} B (file ${((out.bytes / officialBytes.length - 1) * 100).toFixed(1)}%, constants ${((ratio - 1) * 100).toFixed(2)}%)`);
  assert.ok(Math.abs(ratio - 1) <= 0.02, `constant bytes within 2% (ratio ${ratio.toFixed(4)})`);
  // The rest of the file is tensor names; the official converter's fused location names run longer.
  assert.ok(Math.abs(out.bytes / officialBytes.length - 1) <= 0.05, 'file size within 5%');
  // Our int8 vs our float on the same windows, int8 I/O (de)quantized with the file's parameters.
  const floatOut = await convertModel(request(join(dir, 'float.tflite'), {}));
  const samples = featureWindows(10, 99);
  const expected = await runTflite(new Uint8Array(readFileSync(floatOut.output)), samples);
  const input = mainGraph(ours).tensors.get(mainGraph(ours).inputs[0]!)!.quant!;
  const output = mainGraph(ours).tensors.get(mainGraph(ours).outputs[0]!)!.quant!;
  const quantized = samples.map((x) => Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / input.scale[0]! + input.zeroPoint[0]!)))));
  const raw = await runTflite(new Uint8Array(readFileSync(out.output)), quantized as unknown as Float32Array[]);
  const actual = raw.map((o) => Float32Array.from(o as unknown as Int8Array, (q) => (q - output.zeroPoint[0]!) * output.scale[0]!));
  t.diagnostic(`int8 vs float: top-1 ${top1Agreement(expected, actual)}, SQNR ${sqnrDb(expected, actual).toFixed(1)} dB`);
  assert.ok(sqnrDb(expected, actual) >= 10, 'int8 tracks the float model');
});

test('KWS SavedModel → dynamic range matches the official file: small weights stay float', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const dir = tempDir();
  const out = await convertModel(request(join(dir, 'dynamic.tflite'), { mode: 'dynamic' }));
  const bytes = new Uint8Array(readFileSync(out.output));
  const ours = readTflite(bytes);
  const officialBytes = new Uint8Array(readFileSync(fixture(KWS, 'kws_ref_model_dynamic_range.tflite')));
  const official = readTflite(officialBytes);
  assert.deepEqual(opHistogram(mainGraph(ours)), opHistogram(mainGraph(official)));
  for (const [node, a, b] of weightPairs(ours, official)) {
    assert.equal(a.dtype, b.dtype, `${node.name}: weight dtype (${b.dtype} officially)`);
    assert.equal(a.quant?.scale.length ?? 0, b.quant?.scale.length ?? 0, `${node.name}: scale count`);
  }
  const ratio = weightBytes(ours) / weightBytes(official);
  t.diagnostic(`dynamic: ${out.bytes} B vs official ${officialBytes.length} B (constants ${((ratio - 1) * 100).toFixed(2)}%)`);
  assert.ok(Math.abs(ratio - 1) <= 0.02, `constant bytes within 2% (ratio ${ratio.toFixed(4)})`);
  // Ours dynamic vs ours float on the same inputs, in both runtimes.
  const floatOut = await convertModel(request(join(dir, 'float.tflite'), {}));
  const samples = featureWindows(10, 3);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const expected = await runTflite(new Uint8Array(readFileSync(floatOut.output)), samples, runtime);
    const actual = await runTflite(bytes, samples, runtime);
    const sqnr = sqnrDb(expected, actual);
    t.diagnostic(`dynamic vs float (${runtime}): SQNR ${sqnr.toFixed(1)} dB`);
    assert.ok(sqnr >= 25, `SQNR ${sqnr.toFixed(1)} dB`);
  }
});

test('a SavedModel with corrupt variables or no saved_model.pb gives one clear line and writes nothing', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const { cpSync, chmodSync, readFileSync: read, writeFileSync, existsSync: exists, mkdirSync } = await import('node:fs');
  const { runCli } = await import('../../src-main/cli/main');
  const dir = tempDir();
  const copy = join(dir, 'kws');
  cpSync(savedModel(), copy, { recursive: true });
  const shard = join(copy, 'variables', 'variables.data-00000-of-00001');
  chmodSync(shard, 0o644);
  const bytes = read(shard);
  const { TensorBundle, bundlePrefix } = await import('../../src-main/formats/tensorflow/tensor-bundle');
  const kernel = TensorBundle.open(bundlePrefix(copy)).entries.get('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE')!;
  bytes[kernel.offset + 7] = bytes[kernel.offset + 7]! ^ 0x10;
  writeFileSync(shard, bytes);
  const run = async (args: string[]) => {
    const err: string[] = [];
    const code = await runCli(args, { stdout: () => undefined, stderr: (s) => err.push(s), cwd: dir, env: {} });
    return { code, err: err.join('') };
  };
  const corrupt = await run(['convert', copy, '-o', join(dir, 'out.tflite')]);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.err, /fails its checksum \(corrupt variables data\)/);
  assert.equal(corrupt.err.trim().split('\n').length, 1);
  assert.ok(!exists(join(dir, 'out.tflite')));
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'saved_model.pb'), new Uint8Array([0x0a, 0xff, 0xff]));
  const broken = await run(['convert', empty, '-o', join(dir, 'out.tflite')]);
  assert.equal(broken.code, 2);
  assert.match(broken.err, /not a valid SavedModel protobuf/);
});

test('the TF-op path (functions inlined, resource variables from the checkpoint) converts the same SavedModel identically', async (t) => {
  if (!hasFixtures) return t.skip('../shared/fixtures absent');
  const { openSavedModelGraph } = await import('../../src-main/formats/savedmodel/graph-path');
  const { runFloatPasses } = await import('../../src-main/graph/passes/index');
  const { writeTflite } = await import('../../src-main/tflite/writer');
  // Ignore the Keras metadata on purpose: read the serving signature's TensorFlow graph.
  const graphModel = await openSavedModelGraph(readSavedModel(savedModel()));
  runFloatPasses(graphModel);
  const official = readTflite(new Uint8Array(readFileSync(fixture(KWS, 'kws_ref_model_int8.tflite'))));
  assert.deepEqual(opHistogram(mainGraph(graphModel)), opHistogram(mainGraph(official)), 'BatchNorm folded and ReLU fused as the official converter does');
  const dir = tempDir();
  const viaKeras = await convertModel(request(join(dir, 'keras.tflite'), {}));
  const samples = featureWindows(10, 21);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const expected = await runTflite(new Uint8Array(readFileSync(viaKeras.output)), samples, runtime);
    const actual = await runTflite(writeTflite(graphModel), samples, runtime);
    const sqnr = sqnrDb(expected, actual);
    t.diagnostic(`${runtime}: TF-op path vs Keras path SQNR ${sqnr.toFixed(1)} dB`);
    assert.ok(sqnr >= 60, `${runtime}: SQNR ${sqnr.toFixed(1)} dB`);
  }
});
