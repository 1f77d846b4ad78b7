// Keras 3 `.keras` archives: a Functional model written the way Keras 3 saves it
// (config.json with __keras_tensor__ inbound nodes, model.weights.h5 with layers/<name>/vars/<i>)
// converts, and the .tflite computes the model's function (checked against a JS reference).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { randomSamples } from './tfjs-reference';

const tensor = (layer: string, shape: (number | null)[]) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
});

const config = {
  module: 'keras',
  class_name: 'Functional',
  registered_name: 'Functional',
  config: {
    name: 'functional',
    trainable: true,
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 8], dtype: 'float32', name: 'input_layer' }, name: 'input_layer', inbound_nodes: [] },
      {
        module: 'keras.layers',
        class_name: 'Dense',
        config: { name: 'dense', dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, units: 4, activation: 'relu', use_bias: true },
        name: 'dense',
        inbound_nodes: [{ args: [tensor('input_layer', [null, 8])], kwargs: {} }],
      },
      {
        module: 'keras.layers',
        class_name: 'Dense',
        config: { name: 'dense_1', units: 3, activation: 'linear', use_bias: true },
        name: 'dense_1',
        inbound_nodes: [{ args: [tensor('dense', [null, 4])], kwargs: {} }],
      },
    ],
    input_layers: [['input_layer', 0, 0]],
    output_layers: [['dense_1', 0, 0]],
  },
};

function dense(x: Float32Array, w: Float32Array, b: Float32Array, out: number, relu: boolean): Float32Array {
  const inDim = x.length;
  const y = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let s = b[o]!;
    for (let i = 0; i < inDim; i++) s += x[i]! * w[i * out + o]!;
    y[o] = relu ? Math.max(s, 0) : s;
  }
  return y;
}

test('a Keras 3 .keras Functional model converts and computes the same function', async () => {
  const dir = tempDir();
  const [w0, b0, w1, b1] = [randomSamples(1, 32, 1)[0]!, randomSamples(1, 4, 2)[0]!, randomSamples(1, 12, 3)[0]!, randomSamples(1, 3, 4)[0]!];
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const weightsPath = join(dir, 'model.weights.h5');
  const file = new h5wasm.File(weightsPath, 'w');
  const layers = file.create_group('layers');
  for (const [name, arrays] of [['dense', [[w0, [8, 4]], [b0, [4]]]], ['dense_1', [[w1, [4, 3]], [b1, [3]]]]] as const) {
    const vars = layers.create_group(name).create_group('vars');
    arrays.forEach(([data, shape], i) => vars.create_dataset({ name: String(i), data, shape: [...shape], dtype: '<f' }));
  }
  file.close();
  const archive = join(dir, 'model.keras');
  writeFileSync(
    archive,
    zipSync({
      'metadata.json': new TextEncoder().encode(JSON.stringify({ keras_version: '3.6.0' })),
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
      'model.weights.h5': new Uint8Array(readFileSync(weightsPath)),
    }),
  );
  const result = await convertTo(dir, archive);
  assert.deepEqual(result.opHistogram, { FULLY_CONNECTED: 2 });
  const samples = randomSamples(5, 8, 9);
  const ref = samples.map((x) => dense(dense(x, w0, b0, 4, true), w1, b1, 3, false));
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  assert.ok(sqnrDb(ref, got) >= 100, `SQNR ${sqnrDb(ref, got)}`);
});
