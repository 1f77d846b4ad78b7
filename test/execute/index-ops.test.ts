// The index/block ops added for TF.js graph-models (DEPTH_TO_SPACE, SPACE_TO_DEPTH, TILE, GATHER,
// GATHER_ND, UNPACK, ARG_MAX, BATCH_MATMUL adjoint, FLOOR, FLOOR_DIV, FLOOR_MOD, REDUCE_PROD,
// CAST): hand-built graphs written to .tflite, run in both real runtimes and compared with the
// interpreter; then the int8 forms (shared scale, ARG_MAX int8 → int32) the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../src-main/graph/model-graph';
import { createExecutor } from '../../src-main/graph/execute';
import { writeTflite } from '../../src-main/tflite/writer';
import { getRuntime } from '../../src-main/runtime/index';
import type { RuntimeArray } from '../../src-main/runtime/types';
import { quantizeModel } from '../../src-main/quantize/index';
import { GraphBuilder, randomData } from '../quantize/tiny-graphs';
import { observeRanges } from '../quantize/helpers';
import { maxAbsDiff } from './helpers';

const X = [1, 4, 4, 8];

function indexModel() {
  const b = new GraphBuilder();
  const x = b.input('x', X);
  const d2s = b.node('DEPTH_TO_SPACE', [x], 'd2s', [1, 8, 8, 2], { blockSize: 2 });
  b.output(d2s);
  b.output(b.node('SPACE_TO_DEPTH', [d2s], 's2d', [1, 4, 4, 8], { blockSize: 2 }));
  b.output(b.node('TILE', [x, b.constant('multiples', [4], Int32Array.of(1, 1, 2, 1))], 'tile', [1, 4, 8, 8]));
  b.output(b.node('GATHER', [x, b.constant('gidx', [3], Int32Array.of(3, 0, 1))], 'gather', [1, 4, 4, 3], { axis: 3, batchDims: 0 }));
  b.output(b.node('GATHER_ND', [x, b.constant('ndidx', [2, 3], Int32Array.of(0, 1, 2, 0, 3, 0))], 'gather_nd', [2, 8]));
  return b;
}

function floatOnlyOps(b: GraphBuilder): void {
  const g = b.graph;
  const x = 'x';
  const unpacked = ['u0', 'u1', 'u2', 'u3'];
  for (const u of unpacked) g.tensors.set(u, { name: u, dtype: 'float32', shape: [1, 4, 8] });
  g.nodes.push({ name: 'unpack', op: 'UNPACK', inputs: [x], outputs: unpacked, options: { num: 4, axis: 1 } } as Node);
  g.outputs.push('u2');
  const am = b.node('ARG_MAX', [x, b.constant('am_axis', [1], Int32Array.of(3))], 'argmax', [1, 4, 4], { outputType: 'int32' });
  g.tensors.get(am)!.dtype = 'int32';
  b.output(b.node('CAST', [am], 'argmax_f', [1, 4, 4]));
  b.output(b.node('BATCH_MATMUL', [x, x], 'bmm', [1, 4, 8, 8], { adjX: true, adjY: false, asymmetricQuantizeInputs: false }));
  const scaled = b.node('MUL', [x, b.constant('three', [1], Float32Array.of(3))], 'scaled', X, { fusedActivation: 'NONE' });
  b.output(b.node('FLOOR', [scaled], 'floor', X));
  b.output(b.node('FLOOR_DIV', [scaled, b.constant('div', [1], Float32Array.of(0.7))], 'floor_div', X));
  b.output(b.node('FLOOR_MOD', [scaled, b.constant('mod', [1], Float32Array.of(0.7))], 'floor_mod', X));
  b.output(b.node('REDUCE_PROD', [x, b.constant('prod_axis', [1], Int32Array.of(3))], 'prod', [1, 4, 4, 1], { keepDims: true }));
}

/** `toRuntime` turns a real-valued sample into what the file's input takes (int8 for int8 I/O). */
async function compareWithRuntimes(model: ReturnType<GraphBuilder['model']>, samples: Float32Array[], tolerance: number[], toRuntime: (x: Float32Array) => RuntimeArray = (x) => x) {
  const executor = await createExecutor(model);
  const bytes = writeTflite(model);
  for (const runtime of ['tflite-node', 'litert-js'] as const) {
    const loaded = await getRuntime(runtime).load(bytes);
    for (const x of samples) {
      const want = await executor.run([x]);
      const got = await loaded.run([toRuntime(x)]);
      // Matched by name: a runtime may list several outputs in another order.
      const names = loaded.outputs.map((i) => i.name);
      want.forEach((w, o) => {
        const name = model.graphs[0]!.outputs[o]!;
        const k = names.indexOf(name);
        assert.ok(k >= 0, `${runtime}: output ${name} missing (${names.join(', ')})`);
        const info = loaded.outputs[k]!;
        const y = info.quant ? Float32Array.from(got[k]! as ArrayLike<number>, (v) => info.quant!.scale * (Number(v) - info.quant!.zeroPoint)) : Float32Array.from(got[k]! as ArrayLike<number>);
        const diff = maxAbsDiff(w, y);
        assert.ok(diff <= tolerance[o]!, `${runtime}: output ${name} differs by ${diff}`);
      });
    }
    loaded.dispose();
  }
  executor.dispose();
}

test('index/block ops (float): both runtimes match the interpreter', async () => {
  const b = indexModel();
  floatOnlyOps(b);
  const model = b.model();
  const outputs = model.graphs[0]!.outputs.length;
  const samples = [randomData(128, 7), randomData(128, 8, 3)];
  // Rearrangements and index ops are exact; arithmetic within float rounding (FLOOR_MOD near
  // a multiple of the divisor is the only place a last-bit difference could flip a result).
  await compareWithRuntimes(model, samples, Array.from({ length: outputs }, () => 1e-4));
});

test('index/block ops (int8): shared-scale kernels and ARG_MAX int8 → int32 run like the simulation', async () => {
  const b = indexModel();
  const am = b.node('ARG_MAX', ['x', b.constant('am_axis', [1], Int32Array.of(3))], 'argmax', [1, 4, 4], { outputType: 'int32' });
  b.graph.tensors.get(am)!.dtype = 'int32';
  b.output(am);
  const model = b.model();
  const calibration = Array.from({ length: 8 }, (_, i) => [randomData(128, 100 + i)]);
  const statistics = await observeRanges(model, calibration);
  const { model: q, report } = await quantizeModel(model, { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true }, { statistics });
  assert.deepEqual(report.floatOps, []);
  const g = q.graphs[0]!;
  for (const n of g.nodes) assert.equal(g.tensors.get(n.inputs[0]!)!.dtype, 'int8', `${n.op} reads int8`);
  assert.equal(g.tensors.get(g.outputs.at(-1)!)!.dtype, 'int32', 'ARG_MAX output stays int32');
  const inScale = g.tensors.get(g.inputs[0]!)!.quant!;
  for (const o of g.outputs.slice(0, -1)) assert.deepEqual(g.tensors.get(o)!.quant!.scale, inScale.scale, `${o} shares the input scale`);
  // Real-valued samples on the input grid, fed to the file as their int8 codes.
  const [s, z] = [inScale.scale[0]!, inScale.zeroPoint[0]!];
  const code = (v: number) => Math.max(-128, Math.min(127, Math.round(v / s + z)));
  const samples = calibration.slice(0, 3).map(([x]) => Float32Array.from(x!, (v) => s * (code(v) - z)));
  await compareWithRuntimes(q, samples, [1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 0], (x) => Int8Array.from(x, code));
});
