// NanoDet's ONNX export pads with −∞ (PADV2) before a VALID max-pool: calibration sees −∞ in the
// padded tensor. int8 stores −∞ as the shared range's lowest integer instead of refusing the
// range as not finite; the file runs in both runtimes and matches the float graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeGraph } from '../../src-main/graph/execute';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import type { ModelGraph } from '../../src-main/graph/model-graph';
import { quantizeModel } from '../../src-main/quantize/index';
import { writeTflite } from '../../src-main/tflite/writer';
import { sqnrDb } from '../../src-main/validation/sqnr';
import { f32, graphOf, i32, rand } from '../execute/helpers';
import { runIn } from './fix-helpers';

test('int8: a PADV2 with −∞ before a max-pool quantizes (−∞ → the lowest integer) and matches float in both runtimes', async () => {
  await initTfjs();
  const x = rand(8 * 8 * 4, 7);
  const graph = graphOf(
    [f32('x', [1, 8, 8, 4]), i32('pads', [0, 0, 1, 1, 1, 1, 0, 0]), f32('minus_inf', [], Float32Array.of(-Infinity)), f32('p', [1, 10, 10, 4]), f32('m', [1, 8, 8, 4])],
    [
      { name: 'pad', op: 'PADV2', inputs: ['x', 'pads', 'minus_inf'], outputs: ['p'], options: {} },
      { name: 'pool', op: 'MAX_POOL_2D', inputs: ['p'], outputs: ['m'], options: { padding: 'VALID', strideH: 1, strideW: 1, filterH: 3, filterW: 3, fusedActivation: 'NONE' } },
    ],
    ['x'],
    ['m'],
  );
  graph.tensors.get('pads')!.shape = [4, 2];
  const model: ModelGraph = { format: 'test', description: '', graphs: [graph], signatures: [], metadata: {}, unsupported: [] };
  const [floatOut] = await executeGraph(graph, [x]);
  const reference = Float32Array.from(floatOut!);
  const range = (a: Float32Array) => ({ min: Math.min(...a), max: Math.max(...a) });
  // What the calibration observer records: −∞ in the padded tensor.
  const statistics = new Map([['x', range(x)], ['p', { min: -Infinity, max: range(x).max }], ['m', range(reference)]]);
  const { model: q } = await quantizeModel(model, { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: true }, { statistics });
  const bytes = writeTflite(q);
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const [[got]] = await runIn(runtime, bytes, [x]);
    const db = sqnrDb(reference, got!);
    assert.ok(db >= 35, `${runtime}: ${db.toFixed(1)} dB`);
  }
});
