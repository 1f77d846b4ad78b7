// The reference for correctness: the same Keras model run by TensorFlow.js layers. Keras
// configs go through tf.models.modelFromJSON with the weights we read; TF.js model.json
// loads through a file IO handler. Outputs are compared with our .tflite in a real runtime.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { initTfjs } from '../../src-main/graph/tfjs-backend';
import { seededRandom } from '../../src-main/seeded-random';
import type { LayerCall } from '../../src-main/formats/keras/config';
import type { KerasWeight, WeightSource } from '../../src-main/formats/keras/weights';

export type Tf = typeof tfTypes;

export async function tfjs(): Promise<Tf> {
  return initTfjs();
}

function callFor(name: string): LayerCall {
  return { className: '', name, config: {}, inputs: [], outputs: [], scope: [], kwargs: {} };
}

/** Builds the Keras model in tfjs from its config and sets every layer's weights in Keras order. */
export async function kerasInTfjs(config: unknown, weights: WeightSource): Promise<tfTypes.LayersModel> {
  const tf = await tfjs();
  const model = await tf.models.modelFromJSON({ modelTopology: config as tfTypes.io.ModelJSON['modelTopology'] } as tfTypes.io.ModelJSON);
  for (const layer of model.layers) {
    const list: KerasWeight[] = weights.forLayer(callFor(layer.name));
    if (list.length === 0) continue;
    layer.setWeights(list.map((w) => tf.tensor(w.data, w.shape)));
  }
  return model;
}

/** Loads a TF.js layers model.json from disk (weights from its shards). */
export async function loadTfjsLayers(modelJsonPath: string): Promise<tfTypes.LayersModel> {
  const tf = await tfjs();
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as tfTypes.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))));
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    data.set(b, offset);
    offset += b.length;
  }
  const handler: tfTypes.io.IOHandler = {
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data.buffer }),
  };
  return tf.loadLayersModel(handler);
}

/** Runs a tfjs model on single samples of `shape` (batch 1); returns flattened first outputs. */
export async function runTfjs(model: tfTypes.LayersModel, samples: (Float32Array | Int32Array)[], shape: number[], dtype: 'float32' | 'int32' = 'float32'): Promise<Float32Array[]> {
  const tf = await tfjs();
  const outs: Float32Array[] = [];
  for (const s of samples) {
    const out = tf.tidy(() => {
      const x = tf.tensor(s, shape, dtype);
      const y = model.predict(x) as tfTypes.Tensor | tfTypes.Tensor[];
      return Array.isArray(y) ? y[0]! : y;
    });
    outs.push(Float32Array.from(await out.data()));
    out.dispose();
  }
  return outs;
}

/** Deterministic pseudo-random samples in [lo, hi). */
export function randomSamples(count: number, size: number, seed = 7, lo = -1, hi = 1): Float32Array[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: size }, () => lo + (hi - lo) * next()));
}
