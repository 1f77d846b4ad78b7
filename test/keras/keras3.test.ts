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

/** Writes a .keras archive: config + weights (layer name → arrays with shapes, under `sub`). */
async function writeKeras(dir: string, cfg: unknown, layers: [string, [Float32Array, number[]][], string[]][]): Promise<string> {
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const weightsPath = join(dir, 'model.weights.h5');
  const file = new h5wasm.File(weightsPath, 'w');
  const root = file.create_group('layers');
  for (const [name, arrays, sub] of layers) {
    let group = root.create_group(name);
    for (const s of sub) group = group.create_group(s);
    const vars = group.create_group('vars');
    arrays.forEach(([data, shape], i) => vars.create_dataset({ name: String(i), data, shape, dtype: '<f' }));
  }
  file.close();
  const archive = join(dir, 'model.keras');
  writeFileSync(
    archive,
    zipSync({
      'metadata.json': new TextEncoder().encode(JSON.stringify({ keras_version: '3.6.0' })),
      'config.json': new TextEncoder().encode(JSON.stringify(cfg)),
      'model.weights.h5': new Uint8Array(readFileSync(weightsPath)),
    }),
  );
  return archive;
}

test('a Keras 3 .keras Functional model converts and computes the same function', async () => {
  const dir = tempDir();
  const [w0, b0, w1, b1] = [randomSamples(1, 32, 1)[0]!, randomSamples(1, 4, 2)[0]!, randomSamples(1, 12, 3)[0]!, randomSamples(1, 3, 4)[0]!];
  const archive = await writeKeras(dir, config, [
    ['dense', [[w0, [8, 4]], [b0, [4]]], []],
    ['dense_1', [[w1, [4, 3]], [b1, [3]]], []],
  ]);
  const result = await convertTo(dir, archive);
  assert.deepEqual(result.opHistogram, { FULLY_CONNECTED: 2 });
  const samples = randomSamples(5, 8, 9);
  const ref = samples.map((x) => dense(dense(x, w0, b0, 4, true), w1, b1, 3, false));
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  assert.ok(sqnrDb(ref, got) >= 100, `SQNR ${sqnrDb(ref, got)}`);
});

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Keras GRU with reset_after=True (the Keras 2.x / 3 default), gates z, r, h. */
function gruReference(x: Float32Array, steps: number, inDim: number, u: number, k: Float32Array, rk: Float32Array, bias: Float32Array): Float32Array {
  let h = new Float32Array(u);
  for (let t = 0; t < steps; t++) {
    const xs = new Float32Array(3 * u);
    const hs = new Float32Array(3 * u);
    for (let j = 0; j < 3 * u; j++) {
      let a = bias[j]!;
      for (let i = 0; i < inDim; i++) a += x[t * inDim + i]! * k[i * 3 * u + j]!;
      xs[j] = a;
      let r = bias[3 * u + j]!;
      for (let i = 0; i < u; i++) r += h[i]! * rk[i * 3 * u + j]!;
      hs[j] = r;
    }
    const next = new Float32Array(u);
    for (let j = 0; j < u; j++) {
      const z = sigmoid(xs[j]! + hs[j]!);
      const r = sigmoid(xs[u + j]! + hs[u + j]!);
      const cand = Math.tanh(xs[2 * u + j]! + r * hs[2 * u + j]!);
      next[j] = z * h[j]! + (1 - z) * cand;
    }
    h = next;
  }
  return h;
}

test('a Keras 3 GRU (reset_after=True) converts and matches the GRU equations', async () => {
  const dir = tempDir();
  const [steps, inDim, u] = [6, 3, 4];
  const cfg = {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, steps, inDim], dtype: 'float32', name: 'input_layer' } },
        { class_name: 'GRU', config: { name: 'gru', units: u, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: false, reset_after: true } },
      ],
    },
  };
  const [k, rk, bias] = [randomSamples(1, inDim * 3 * u, 31)[0]!, randomSamples(1, u * 3 * u, 32)[0]!, randomSamples(1, 2 * 3 * u, 33)[0]!];
  const archive = await writeKeras(dir, cfg, [['gru', [[k, [inDim, 3 * u]], [rk, [u, 3 * u]], [bias, [2, 3 * u]]], ['cell']]]);
  const result = await convertTo(dir, archive);
  const samples = randomSamples(4, steps * inDim, 34);
  const ref = samples.map((x) => gruReference(x, steps, inDim, u, k, rk, bias));
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  const sqnr = sqnrDb(ref, got);
  console.log(`# keras3 GRU reset_after: ${JSON.stringify(result.opHistogram)} SQNR ${sqnr.toFixed(1)} dB`);
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB`);
});
