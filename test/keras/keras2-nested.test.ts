// A Keras 2 full-model .h5 with a nested Sequential (the usual transfer-learning layout):
// the nested model's weights live in its own group with 'layer/var:0' names. The file is
// written here with h5wasm the way Keras 2 lays it out; the .tflite must compute the model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { randomSamples } from './tfjs-reference';

const config = {
  class_name: 'Functional',
  config: {
    name: 'outer',
    layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'inp' }, name: 'inp', inbound_nodes: [] },
      {
        class_name: 'Sequential',
        config: { name: 'inner', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'inner_input' } }, { class_name: 'Dense', config: { name: 'd1', units: 5, activation: 'relu', use_bias: true } }] },
        name: 'inner',
        inbound_nodes: [[['inp', 0, 0, {}]]],
      },
      { class_name: 'Dense', config: { name: 'd2', units: 3, activation: 'linear', use_bias: true }, name: 'd2', inbound_nodes: [[['inner', 1, 0, {}]]] },
    ],
    input_layers: [['inp', 0, 0]],
    output_layers: [['d2', 0, 0]],
  },
};

function dense(x: Float32Array, w: Float32Array, b: Float32Array, out: number, relu: boolean): Float32Array {
  const y = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let s = b[o]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * w[i * out + o]!;
    y[o] = relu ? Math.max(s, 0) : s;
  }
  return y;
}

test('a Keras 2 .h5 with a nested Sequential converts with the nested weights', async () => {
  const dir = tempDir();
  const [w1, b1, w2, b2] = [randomSamples(1, 20, 1)[0]!, randomSamples(1, 5, 2)[0]!, randomSamples(1, 15, 3)[0]!, randomSamples(1, 3, 4)[0]!];
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const path = join(dir, 'nested.h5');
  const file = new h5wasm.File(path, 'w');
  file.create_attribute('model_config', JSON.stringify(config));
  file.create_attribute('keras_version', '2.4.0');
  file.create_attribute('backend', 'tensorflow');
  const mw = file.create_group('model_weights');
  mw.create_attribute('layer_names', ['inp', 'inner', 'd2']);
  mw.create_group('inp').create_attribute('weight_names', []);
  const inner = mw.create_group('inner');
  inner.create_attribute('weight_names', ['d1/kernel:0', 'd1/bias:0']);
  const d1 = inner.create_group('d1');
  d1.create_dataset({ name: 'kernel:0', data: w1, shape: [4, 5], dtype: '<f' });
  d1.create_dataset({ name: 'bias:0', data: b1, shape: [5], dtype: '<f' });
  const d2g = mw.create_group('d2');
  d2g.create_attribute('weight_names', ['d2/kernel:0', 'd2/bias:0']);
  const d2 = d2g.create_group('d2');
  d2.create_dataset({ name: 'kernel:0', data: w2, shape: [5, 3], dtype: '<f' });
  d2.create_dataset({ name: 'bias:0', data: b2, shape: [3], dtype: '<f' });
  file.close();
  const result = await convertTo(dir, path);
  assert.deepEqual(result.opHistogram, { FULLY_CONNECTED: 2 });
  const samples = randomSamples(5, 4, 8);
  const ref = samples.map((x) => dense(dense(x, w1, b1, 5, true), w2, b2, 3, false));
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  assert.ok(sqnrDb(ref, got) >= 100, `SQNR ${sqnrDb(ref, got)}`);
});
