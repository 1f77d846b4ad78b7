// Hand-built graphs → writeTflite → both real runtimes, compared with outputs computed here;
// plus the file-level facts the official converter writes (identifiers, codes, metadata, alignment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Graph, ModelGraph, Node, Tensor } from '../../src-main/graph/model-graph';
import { writeTflite } from '../../src-main/tflite/writer';
import { readOperatorCodes, readTflite } from '../../src-main/tflite/reader';
import { FlatReader } from '../../src-main/tflite/flatbuffer-reader';
import { BufferField, MetadataField, ModelField } from '../../src-main/tflite/schema/tables';
import { TfliteWriteError } from '../../src-main/tflite/errors';
import { getRuntime } from '../../src-main/runtime/index';
import type { RuntimeName } from '../../src-main/runtime/types';

function model(tensors: Tensor[], nodes: Node[], inputs: string[], outputs: string[]): ModelGraph {
  const graph: Graph = { name: 'main', tensors: new Map(tensors.map((t) => [t.name, t])), nodes, inputs, outputs };
  return { format: 'test', description: '', graphs: [graph], signatures: [], metadata: {}, unsupported: [] };
}

const W = Float32Array.from([0.5, -0.25, 1, 0.1, -1, 0.3, 0.2, 0.7, 0.05, 0.6, -0.4, -0.2]);
const B = Float32Array.from([0.1, -0.2, 0.3]);

function denseSoftmax(x: number[]): number[] {
  const h = [0, 1, 2].map((o) => Math.max(0, x.reduce((s, v, i) => s + v * (W[o * 4 + i] as number), B[o] as number)));
  const m = Math.max(...h);
  const e = h.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function denseModel(batch: number): ModelGraph {
  return model(
    [
      { name: 'x', dtype: 'float32', shape: [batch, 4] },
      { name: 'dense/kernel', dtype: 'float32', shape: [3, 4], data: W },
      { name: 'dense/bias', dtype: 'float32', shape: [3], data: B },
      { name: 'dense/Relu', dtype: 'float32', shape: [batch, 3] },
      { name: 'probs', dtype: 'float32', shape: [batch, 3] },
    ],
    [
      { name: 'dense', op: 'FULLY_CONNECTED', inputs: ['x', 'dense/kernel', 'dense/bias'], outputs: ['dense/Relu'], options: { fusedActivation: 'RELU', keepNumDims: false } },
      { name: 'softmax', op: 'SOFTMAX', inputs: ['dense/Relu'], outputs: ['probs'], options: { beta: 1 } },
    ],
    ['x'],
    ['probs'],
  );
}

const RUNTIMES: RuntimeName[] = ['litert-js', 'tflite-node'];

for (const runtimeName of RUNTIMES) {
  test(`${runtimeName}: a written FULLY_CONNECTED + SOFTMAX graph computes what it should`, async () => {
    for (const batch of [1, -1]) {
      const bytes = writeTflite(denseModel(batch));
      const loaded = await getRuntime(runtimeName).load(bytes);
      assert.deepEqual(loaded.inputs, [{ name: 'x', dtype: 'float32', shape: [1, 4] }]);
      for (const x of [[1, 2, 3, 4], [-1, 0.5, 0, 2], [0, 0, 0, 0]]) {
        const [out] = await loaded.run([Float32Array.from(x)]);
        const expected = denseSoftmax(x);
        Array.from(out as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) < 1e-6, `batch ${batch} x=${x}: ${v} vs ${expected[i]}`));
      }
      loaded.dispose();
    }
  });

  test(`${runtimeName}: QUANTIZE/DEQUANTIZE use the written scale and zero point`, async () => {
    const scale = 0.05;
    const zp = 3;
    const bytes = writeTflite(
      model(
        [
          { name: 'x', dtype: 'float32', shape: [1, 8] },
          { name: 'xq', dtype: 'int8', shape: [1, 8], quant: { scale: [scale], zeroPoint: [zp] } },
          { name: 'y', dtype: 'float32', shape: [1, 8] },
        ],
        [
          { name: 'q', op: 'QUANTIZE', inputs: ['x'], outputs: ['xq'], options: {} },
          { name: 'dq', op: 'DEQUANTIZE', inputs: ['xq'], outputs: ['y'], options: {} },
        ],
        ['x'],
        ['y'],
      ),
    );
    const loaded = await getRuntime(runtimeName).load(bytes);
    const x = Float32Array.from([0, 0.024, 0.026, -1, 1.234, 10, -10, 6.2]);
    const [y] = await loaded.run([x]);
    const expected = Array.from(x, (v) => (Math.min(127, Math.max(-128, Math.round(v / scale) + zp)) - zp) * scale);
    Array.from(y as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) < 1e-6, `${x[i]} → ${v}, expected ${expected[i]}`));
  });

  test(`${runtimeName}: int8 in and out (int8 ADD with its own output scale)`, async () => {
    const bytes = writeTflite(
      model(
        [
          { name: 'a', dtype: 'int8', shape: [1, 4], quant: { scale: [0.1], zeroPoint: [0] } },
          { name: 'b', dtype: 'int8', shape: [1, 4], quant: { scale: [0.1], zeroPoint: [0] } },
          { name: 'sum', dtype: 'int8', shape: [1, 4], quant: { scale: [0.2], zeroPoint: [-10] } },
        ],
        [{ name: 'add', op: 'ADD', inputs: ['a', 'b'], outputs: ['sum'], options: { fusedActivation: 'NONE' } }],
        ['a', 'b'],
        ['sum'],
      ),
    );
    const loaded = await getRuntime(runtimeName).load(bytes);
    assert.deepEqual(loaded.inputs[0]?.quant, { scale: Math.fround(0.1), zeroPoint: 0 });
    const [sum] = await loaded.run([Int8Array.from([10, -20, 50, 100]), Int8Array.from([10, 20, 30, 100])]);
    // real = 0.1*(a+b); q = round(real/0.2) - 10, saturated
    assert.deepEqual(Array.from(sum as Int8Array), [0, -10, 30, 90]);
  });
}

for (const runtimeName of RUNTIMES) {
  test(`${runtimeName}: int16 ADD with non power-of-two scales (16x8) is written for the general kernel`, async () => {
    const bytes = writeTflite(
      model(
        [
          { name: 'a', dtype: 'int16', shape: [1, 4], quant: { scale: [0.001], zeroPoint: [0] } },
          { name: 'b', dtype: 'int16', shape: [1, 4], quant: { scale: [0.0007], zeroPoint: [0] } },
          { name: 'sum', dtype: 'int16', shape: [1, 4], quant: { scale: [0.0015], zeroPoint: [0] } },
        ],
        [{ name: 'add', op: 'ADD', inputs: ['a', 'b'], outputs: ['sum'], options: { fusedActivation: 'NONE' } }],
        ['a', 'b'],
        ['sum'],
      ),
    );
    assert.deepEqual(readOperatorCodes(bytes), [{ builtin: 'ADD', version: 3 }]);
    const loaded = await getRuntime(runtimeName).load(bytes);
    const a = [1000, -2000, 15000, 300];
    const b = [1000, 3000, -9000, 30000];
    const [sum] = await loaded.run([Int16Array.from(a), Int16Array.from(b)]);
    const expected = a.map((v, i) => Math.round((0.001 * v + 0.0007 * (b[i] as number)) / 0.0015));
    Array.from(sum as Int16Array).forEach((v, i) => assert.ok(Math.abs(v - (expected[i] as number)) <= 1, `${v} vs ${expected[i]}`));
  });
}

test('litert-js: GELU (builtin code 150) is written with deprecated code 127 and runs', async () => {
  const bytes = writeTflite(
    model(
      [
        { name: 'x', dtype: 'float32', shape: [1, 5] },
        { name: 'y', dtype: 'float32', shape: [1, 5] },
      ],
      [{ name: 'gelu', op: 'GELU', inputs: ['x'], outputs: ['y'], options: { approximate: true } }],
      ['x'],
      ['y'],
    ),
  );
  assert.deepEqual(readOperatorCodes(bytes), [{ builtin: 'GELU', version: 1 }]);
  const code = new FlatReader(bytes).root('Model').tables(ModelField.operatorCodes, 'OperatorCode')[0]!;
  assert.equal(code.i8(0), 127, 'deprecated_builtin_code saturates at 127');
  assert.equal(code.i32(3), 150);
  const loaded = await getRuntime('litert-js').load(bytes);
  const x = [-3, -1, 0, 0.5, 2];
  const [y] = await loaded.run([Float32Array.from(x)]);
  const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  Array.from(y as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - gelu(x[i] as number)) < 1e-4, `gelu(${x[i]}) = ${v}`));
});

test('file facts: TFL3, version 3, signature, shape signature, metadata, 16-byte aligned constants', () => {
  const bytes = writeTflite(denseModel(-1), { conversion: { optimizationModes: [1003] } });
  assert.equal(String.fromCharCode(...bytes.subarray(4, 8)), 'TFL3');
  const root = new FlatReader(bytes).root('Model');
  assert.equal(root.u32(ModelField.version), 3);
  const buffers = root.tables(ModelField.buffers, 'Buffer');
  assert.equal(buffers[0]?.bytesOf(BufferField.data), undefined, 'buffer 0 is empty');
  for (const buffer of buffers) {
    const v = buffer.vector(BufferField.data, 1);
    if (v && v.length > 0 && v.length !== 16) assert.equal(v.start % 16, 0, 'constant data 16-byte aligned');
  }
  const metadata = root.tables(ModelField.metadata, 'Metadata').map((m) => m.string(MetadataField.name));
  assert.deepEqual(metadata, ['min_runtime_version', 'CONVERSION_METADATA']);
  const versionBuffer = buffers[root.tables(ModelField.metadata, 'Metadata')[0]!.u32(MetadataField.buffer)]!.bytesOf(BufferField.data)!;
  assert.equal(versionBuffer.length, 16);

  const back = readTflite(bytes);
  assert.equal(back.metadata.min_runtime_version, '1.5.0');
  assert.match(back.metadata.CONVERSION_METADATA ?? '', /^producer edgequant .*; optimization modes \[1003\]$/);
  assert.deepEqual(back.signatures, [{ key: 'serving_default', subgraph: 0, inputs: { x: 'x' }, outputs: { probs: 'probs' } }]);
  assert.deepEqual(back.graphs[0]!.tensors.get('x')!.shape, [-1, 4], 'shape_signature keeps the dynamic batch');
  assert.deepEqual(readOperatorCodes(bytes), [
    { builtin: 'FULLY_CONNECTED', version: 1 },
    { builtin: 'SOFTMAX', version: 1 },
  ]);
});

test('a dangling tensor reference is a one-line TfliteWriteError', () => {
  const broken = denseModel(1);
  broken.graphs[0]!.nodes[1]!.inputs = ['missing'];
  assert.throws(() => writeTflite(broken), (e: unknown) => e instanceof TfliteWriteError && /refers to tensor 'missing'/.test(e.message));
});

test('the writer refuses tensors every runtime would reject, naming the tensor', async () => {
  const wrongCount = denseModel(1);
  wrongCount.graphs[0]!.tensors.get('dense/bias')!.data = new Float32Array(2);
  assert.throws(() => writeTflite(wrongCount), /Tensor 'dense\/bias' in graph 'main' has 2 values but shape \[3\] needs 3/);
  const wrongAxis = denseModel(1);
  wrongAxis.graphs[0]!.tensors.get('dense/kernel')!.quant = { scale: [0.1, 0.2, 0.3], zeroPoint: [0, 0, 0], axis: 1 };
  assert.throws(() => writeTflite(wrongAxis), /3 per-channel scales do not match axis 1 of shape \[3, 4\]/);
  const { fixture, haveFixtures } = await import('./helpers');
  if (!haveFixtures) return;
  // The official tflite-micro file that every runtime rejects for the same reason.
  const bad = readTflite(fixture('tflite-micro/person_detect_bad_quantized_dimension.tflite'));
  assert.throws(() => writeTflite(bad), (e: unknown) => e instanceof TfliteWriteError && /per-channel scales do not match axis 3/.test(e.message));
});

test('CONVERSION_METADATA records the optimization mode the tensor types show', async () => {
  const { fixture, haveFixtures } = await import('./helpers');
  if (!haveFixtures) return;
  const cases: [string, string][] = [
    ['mlperf-tiny/vww/vww_96_float.tflite', '[]'],
    ['mlperf-tiny/vww/vww_96_int8.tflite', '[1003]'],
    ['mlperf-tiny/ad01/ad01_dynamic_range.tflite', '[1002]'],
    ['mediapipe/palm_detection_lite.tflite', '[1001]'],
    ['tflite-micro/hello_world_int8.tflite', '[1003]'],
  ];
  for (const [file, modes] of cases) {
    const written = readTflite(writeTflite(readTflite(fixture(file))));
    assert.match(written.metadata.CONVERSION_METADATA ?? '', new RegExp(`optimization modes \\${modes.slice(0, -1)}\\]$`), file);
  }
});

test('foreign ops keep their raw options through a round trip, BuiltinOptions2 included', () => {
  const options = {
    offset_dims: [1],
    collapsed_slice_dims: [0],
    start_index_map: [0],
    index_vector_dim: 1,
    slice_sizes: [1, 2],
    indices_are_sorted: true,
    optionsTable2: 'StablehloGatherOptions',
    opVersion: 1,
  };
  // ARG_MIN is not modelled (ARG_MAX is now), so it stays a foreign op with raw options.
  const argmax = { output_type: 'INT64', optionsTable: 'ArgMinOptions', opVersion: 2 };
  const bytes = writeTflite(
    model(
      [
        { name: 'x', dtype: 'float32', shape: [3, 2] },
        { name: 'i', dtype: 'int32', shape: [2, 1] },
        { name: 'y', dtype: 'float32', shape: [2, 2] },
        { name: 'k', dtype: 'int64', shape: [2] },
      ],
      [
        { name: 'gather', op: 'OTHER', builtin: 'STABLEHLO_GATHER', inputs: ['x', 'i'], outputs: ['y'], options },
        { name: 'argmin', op: 'OTHER', builtin: 'ARG_MIN', inputs: ['y', 'i'], outputs: ['k'], options: argmax },
      ],
      ['x', 'i'],
      ['k'],
    ),
  );
  const nodes = readTflite(bytes).graphs[0]!.nodes;
  assert.deepEqual(nodes[0]?.options, options);
  assert.deepEqual(nodes[1]?.options, argmax);
  assert.deepEqual(readOperatorCodes(bytes), [
    { builtin: 'STABLEHLO_GATHER', version: 1 },
    { builtin: 'ARG_MIN', version: 2 },
  ]);
});

test('metadata buffers such as TFLITE_METADATA can be carried into the written file', async () => {
  const { fixture, haveFixtures } = await import('./helpers');
  if (!haveFixtures) return;
  const { readMetadataBuffers } = await import('../../src-main/tflite/reader');
  const original = fixture('coral/mobilenet_v2_1.0_224_quant.tflite');
  const carried = readMetadataBuffers(original);
  assert.equal(carried.TFLITE_METADATA?.length, 696);
  const written = writeTflite(readTflite(original), { metadataBuffers: carried });
  const back = readMetadataBuffers(written);
  assert.deepEqual(Object.keys(back), ['min_runtime_version', 'CONVERSION_METADATA', 'TFLITE_METADATA']);
  assert.deepEqual(back.TFLITE_METADATA, carried.TFLITE_METADATA);
  assert.ok(Math.abs(written.length / original.length - 1) < 0.01, `${written.length} vs ${original.length}`);
});
