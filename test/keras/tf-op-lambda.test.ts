// TFOpLambda / SlicingOpLambda layers: each vetted TF function, in both serialisations (Keras 2
// .h5 and .keras), computes what TensorFlow.js computes; slices with '...', ':', negative
// indices, steps, integer indices and None; constants as first argument; any function outside
// the table is refused with a one-line error naming it, and `inspect` lists it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { UnsupportedError } from '../../src-main/errors';
import { openModel } from '../../src-main/formats/registry';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { type Arg, KerasGraph, type KTensor, type Tf } from '../detect/keras-graph';
import { writeKeras3, writeKerasH5 } from '../detect/keras-files';
import { randomSamples } from './tfjs-reference';

const SHAPE = [1, 6, 8, 4];
const s = (start: number | null, stop: number | null, step: number | null = null): Arg => ({ class_name: '__slice__', config: { start, stop, step } });
const ellipsis: Arg = { class_name: '__ellipsis__' };
type Run = (xs: tfTypes.Tensor[]) => tfTypes.Tensor;

/** One case: a TF function call on the input (after a ReLU so the input is a layer output). */
const cases: { name: string; build: (g: KerasGraph, x: KTensor, tf: Tf) => KTensor }[] = [
  { name: 'x[:, 1:-1, ::2]', build: (g, x, tf) => op(g, '__operators__.getitem', x, { slice_spec: [s(null, null), s(1, -1), s(null, null, 2)] }, [1, 4, 4, 4], ([v]) => tf.stridedSlice(v!, [0, 1, 0, 0], [1, 5, 8, 4], [1, 1, 2, 1])) },
  { name: 'x[..., -1]', build: (g, x, tf) => op(g, '__operators__.getitem', x, { slice_spec: [ellipsis, -1] }, [1, 6, 8], ([v]) => tf.squeeze(tf.slice(v!, [0, 0, 0, 3], [1, 6, 8, 1]), [3])) },
  { name: 'x[:, ::-1, None, 2:]', build: (g, x, tf) => op(g, '__operators__.getitem', x, { slice_spec: [s(null, null), s(null, null, -1), null, s(2, null)] }, [1, 6, 1, 6, 4], ([v]) => tf.expandDims(tf.reverse(tf.slice(v!, [0, 0, 2, 0], [1, 6, 6, 4]), 1), 2)) },
  { name: 'tf.split sizes + tf.concat', build: (g, x, tf) => {
    const parts = g.op('split', x, { num_or_size_splits: [1, -1], axis: 3 }, [[1, 6, 8, 1], [1, 6, 8, 3]], ([v]) => tf.split(v!, [1, 3], 3));
    return op(g, 'concat', [parts[1]!, parts[0]!], { axis: -1 }, SHAPE, (xs) => tf.concat(xs, -1));
  } },
  { name: 'constant − x, max, tanh', build: (g, x, tf) => {
    const c = op(g, 'math.subtract', 0.25, { y: x }, SHAPE, ([v]) => tf.sub(0.25, v!));
    const m = op(g, 'math.maximum', c, { y: [0.1, -0.2, 0.3, 0] }, SHAPE, ([v]) => tf.maximum(v!, tf.tensor1d([0.1, -0.2, 0.3, 0])));
    return op(g, 'math.tanh', m, {}, SHAPE, ([v]) => tf.tanh(v!));
  } },
  { name: 'reduce_mean, expand_dims, transpose, softmax', build: (g, x, tf) => {
    const r = op(g, 'math.reduce_mean', x, { axis: [1], keepdims: false }, [1, 8, 4], ([v]) => tf.mean(v!, 1));
    const e = op(g, 'expand_dims', r, { axis: 1 }, [1, 1, 8, 4], ([v]) => tf.expandDims(v!, 1));
    const t = op(g, 'transpose', e, { perm: [0, 1, 3, 2] }, [1, 1, 4, 8], ([v]) => tf.transpose(v!, [0, 1, 3, 2]));
    return op(g, 'nn.softmax', t, { axis: -1 }, [1, 1, 4, 8], ([v]) => tf.softmax(v!));
  } },
];

function op(g: KerasGraph, fn: string, first: Arg, kwargs: Record<string, Arg>, shape: number[], run: Run): KTensor {
  return g.op(fn, first, kwargs, [shape], (xs) => [run(xs)])[0]!;
}

function model(tf: Tf, build: (g: KerasGraph, x: KTensor, tf: Tf) => KTensor): KerasGraph {
  const g = new KerasGraph(tf);
  const x = g.input('x', SHAPE, tf.zeros(SHAPE));
  const relu = g.add('Activation', 'act', { activation: 'elu' }, x, {}, [], [SHAPE], ([v]) => [tf.elu(v!)])[0]!;
  g.outputs = [build(g, relu, tf)];
  g.dispose();
  return g;
}

test('vetted TF functions and slices in TFOpLambda/SlicingOpLambda layers match TF.js (.h5 and .keras)', async (t) => {
  const tf = await initTfjs();
  const dir = tempDir('edgequant-tfop-');
  const samples = randomSamples(2, 6 * 8 * 4, 5);
  for (const [i, c] of cases.entries()) {
    const g = model(tf, c.build);
    const reference = samples.map((x) => tf.tidy(() => Float32Array.from(g.forward(tf.tensor(x, SHAPE))[0]!.dataSync())));
    const h5 = join(dir, `case${i}.h5`);
    await writeKerasH5(g, h5, `case${i}`);
    const keras = await writeKeras3(g, dir, `case${i}`);
    for (const file of [h5, keras]) {
      const result = await convertTo(dir, file, { output: `${file}.tflite` });
      const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
      const db = sqnrDb(reference, got);
      t.diagnostic(`${c.name} (${file.endsWith('.h5') ? '.h5' : '.keras'}): ${db.toFixed(1)} dB, ${JSON.stringify(result.opHistogram)}`);
      assert.ok(db >= 100, `${c.name} from ${file}: SQNR ${db.toFixed(1)} dB`);
    }
  }
});

test('a TF function outside the table is refused in one line naming it; inspect lists it', async () => {
  const tf = await initTfjs();
  const g = model(tf, (g2, x, tfn) => op(g2, 'math.cumsum', x, { axis: 1 }, SHAPE, ([v]) => tfn.cumsum(v!, 1)));
  const dir = tempDir('edgequant-tfop-bad-');
  const h5 = join(dir, 'cumsum.h5');
  await writeKerasH5(g, h5, 'cumsum');
  await assert.rejects(convertTo(dir, h5), (error: unknown) => {
    assert.ok(error instanceof UnsupportedError, String(error));
    assert.match(error.message, /Layer 'tf\.math\.cumsum' \(TFOpLambda\).*TF function 'tf\.math\.cumsum' is not in the supported list/);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
  const inspected = await openModel({ path: h5 }, { collectUnsupported: true });
  assert.deepEqual(inspected.unsupported.map((u) => [u.layer, u.className]), [['tf.math.cumsum', 'TFOpLambda']]);
});
