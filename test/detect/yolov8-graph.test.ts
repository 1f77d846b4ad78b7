// The op forms of a YOLOv8 TF.js graph-model / SavedModel export: SplitV (C2f), Sigmoid·Mul
// (SiLU), MaxPool 5×5 stride 1 (SPPF), ResizeNearestNeighbor + ConcatV2 (neck), Reshape →
// Softmax (DFL), StridedSlice with an ellipsis and negative begin (`d[..., :2]`, `d[..., -2:]`),
// Transpose to [1, C, N]. A representative graph with each pattern matches TensorFlow.js ≥ 100 dB.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { seededRandom } from '../../src-main/seeded-random';
import { randomSamples } from '../keras/tfjs-reference';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { runGraphModelInTfjs } from '../formats/tfjs-graph-reference';
import { attr, GraphModelWriter } from './graph-model';

const SHAPE = [1, 16, 16, 8];

function yoloOps(dir: string): string {
  const g = new GraphModelWriter();
  const r = seededRandom(3);
  const weights = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  const x = g.placeholder('images', SHAPE);
  const conv = { strides: attr.ints([1, 1, 1, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC'), dilations: attr.ints([1, 1, 1, 1]) };
  const c = g.op('conv', 'Conv2D', [x, g.constant('conv/w', [3, 3, 8, 16], weights(3 * 3 * 8 * 16, 0.3))], conv);
  const cb = g.op('conv/bias', 'BiasAdd', [c, g.constant('conv/b', [16], weights(16, 0.5))], { data_format: attr.s('NHWC') });
  const silu = g.op('silu', 'Mul', [cb, g.op('sigmoid', 'Sigmoid', [cb])]);
  g.op('split', 'SplitV', [silu, g.ints('split/sizes', [8, -1]), g.constant('split/axis', [], Int32Array.of(-1))], { num_split: attr.i(2), Tlen: attr.int });
  const pool = g.op('pool', 'MaxPool', ['split:1'], { ksize: attr.ints([1, 5, 5, 1]), strides: attr.ints([1, 1, 1, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC') });
  const down = g.op('down', 'MaxPool', [pool], { ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.s('VALID'), data_format: attr.s('NHWC') });
  const up = g.op('up', 'ResizeNearestNeighbor', [down, g.ints('up/size', [16, 16])], { align_corners: attr.b(false), half_pixel_centers: attr.b(false) });
  const cat = g.op('cat', 'ConcatV2', ['split', pool, up, g.constant('cat/axis', [], Int32Array.of(-1))], { N: attr.i(3), Tidx: attr.int });
  const bins = g.op('bins', 'Reshape', [cat, g.ints('bins/shape', [1, 256, 4, 6])], { Tshape: attr.int });
  const soft = g.op('softmax', 'Softmax', [bins]);
  const slice = (name: string, begin: number, endMask: number) =>
    g.op(name, 'StridedSlice', [soft, g.ints(`${name}/begin`, [0, begin]), g.ints(`${name}/end`, [0, 2]), g.ints(`${name}/strides`, [1, 1])], {
      Index: attr.int, begin_mask: attr.i(0), end_mask: attr.i(endMask), ellipsis_mask: attr.i(1), new_axis_mask: attr.i(0), shrink_axis_mask: attr.i(0),
    });
  const lt = slice('lt', 0, 0);
  const rb = slice('rb', -2, 2);
  const box = g.op('box', 'ConcatV2', [lt, rb, g.constant('box/axis', [], Int32Array.of(-1))], { N: attr.i(2), Tidx: attr.int });
  const flat = g.op('flat', 'Reshape', [box, g.ints('flat/shape', [1, 256, 16])], { Tshape: attr.int });
  g.op('output', 'Transpose', [flat, g.ints('output/perm', [0, 2, 1])], { Tperm: attr.int });
  return g.write(dir, [{ name: 'images', shape: SHAPE }], ['output']);
}

test('YOLOv8 graph-model op forms (SplitV, Sigmoid·Mul, ResizeNearestNeighbor, ConcatV2, Softmax, StridedSlice with ellipsis, Transpose) match TF.js ≥ 100 dB', async (t) => {
  const dir = tempDir('edgequant-yolo-graph-');
  const path = yoloOps(dir);
  const result = await convertTo(dir, path);
  for (const op of ['SPLIT_V', 'LOGISTIC', 'MUL', 'MAX_POOL_2D', 'RESIZE_NEAREST_NEIGHBOR', 'CONCATENATION', 'SOFTMAX', 'STRIDED_SLICE', 'TRANSPOSE']) {
    assert.ok(result.opHistogram[op], `${op} in ${JSON.stringify(result.opHistogram)}`);
  }
  const samples = randomSamples(3, 16 * 16 * 8, 11);
  const reference: Float32Array[] = [];
  for (const x of samples) reference.push((await runGraphModelInTfjs(path, [x], [SHAPE]))[0]!);
  const bytes = new Uint8Array(readFileSync(result.output));
  for (const runtime of ['litert-js', 'tflite-node'] as const) {
    const db = sqnrDb(reference, await runTflite(bytes, samples, runtime));
    t.diagnostic(`${runtime}: ${db.toFixed(1)} dB; ${JSON.stringify(result.opHistogram)}`);
    assert.ok(db >= 100, `${runtime}: SQNR ${db.toFixed(1)} dB`);
  }
});
