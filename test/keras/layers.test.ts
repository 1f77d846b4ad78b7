// Layer coverage: small models built with TF.js layers from the Keras layer list, saved as
// model.json, converted, and compared with TF.js in a real TFLite runtime (SQNR ≥ 60 dB).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { convertTo, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { randomSamples, runTfjs, tfjs, type Tf } from './tfjs-reference';

type Sym = tfTypes.SymbolicTensor;

async function roundTrip(
  name: string,
  build: (tf: Tf) => tfTypes.LayersModel,
  runtime: 'litert-js' | 'tflite-node' = 'litert-js',
  expectOps: (ops: Record<string, number>) => void = () => {},
): Promise<void> {
  const tf = await tfjs();
  const model = build(tf);
  const dir = tempDir();
  const saved = join(dir, 'saved');
  mkdirSync(saved);
  await model.save({
    save: async (a) => {
      writeFileSync(join(saved, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs ?? [] }] }));
      writeFileSync(join(saved, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const result = await convertTo(dir, join(saved, 'model.json'));
  expectOps(result.opHistogram);
  const shape = (model.inputs[0]!.shape as number[]).map((d) => d ?? 1);
  const samples = randomSamples(4, shape.reduce((a, d) => a * d, 1), 21, -1, 1);
  const ref = await runTfjs(model, samples, shape);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples, runtime);
  const sqnr = sqnrDb(ref, got);
  console.log(`# ${name}: ${JSON.stringify(result.opHistogram)} SQNR ${sqnr.toFixed(1)} dB`);
  assert.ok(sqnr >= 60, `${name}: SQNR ${sqnr.toFixed(1)} dB < 60`);
}

test('conv family, padding, cropping, pooling, upsampling and activations', async () => {
  await roundTrip('conv', (tf) => {
    const x = tf.input({ shape: [16, 16, 3] });
    let y = tf.layers.zeroPadding2d({ padding: [[1, 2], [2, 1]] }).apply(x) as Sym;
    y = tf.layers.conv2d({ filters: 8, kernelSize: 3, dilationRate: 2, activation: 'elu' }).apply(y) as Sym;
    y = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }).apply(y) as Sym;
    y = tf.layers.batchNormalization({ epsilon: 0.01 }).apply(y) as Sym;
    y = tf.layers.separableConv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }).apply(y) as Sym;
    y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as Sym;
    y = tf.layers.conv2dTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }).apply(y) as Sym;
    y = tf.layers.cropping2D({ cropping: [[1, 0], [0, 2]] }).apply(y) as Sym;
    y = tf.layers.prelu({ sharedAxes: [1, 2] }).apply(y) as Sym;
    y = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest' }).apply(y) as Sym;
    y = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(y) as Sym;
    y = tf.layers.averagePooling2d({ poolSize: 2 }).apply(y) as Sym;
    y = tf.layers.activation({ activation: 'softplus' }).apply(y) as Sym;
    y = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'selu' }).apply(y) as Sym;
    y = tf.layers.globalMaxPooling2d({}).apply(y) as Sym;
    y = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(y) as Sym;
    return tf.model({ inputs: x, outputs: y });
  });
});

test('merges, reshape/permute/flatten, 1-D conv and pooling, layer norm, dense on 3-D', async () => {
  await roundTrip('merge', (tf) => {
    const x = tf.input({ shape: [12, 6] });
    const a = tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as Sym;
    const b = tf.layers.conv1d({ filters: 6, kernelSize: 3, padding: 'same', dilationRate: 2 }).apply(x) as Sym;
    const c = tf.layers.dense({ units: 6 }).apply(x) as Sym;
    let y = tf.layers.add().apply([a, b, c]) as Sym;
    y = tf.layers.concatenate({ axis: -1 }).apply([
      tf.layers.multiply().apply([b, c]) as Sym,
      tf.layers.average().apply([a, c]) as Sym,
      tf.layers.maximum().apply([a, y]) as Sym,
      tf.layers.minimum().apply([b, y]) as Sym,
    ]) as Sym;
    y = tf.layers.layerNormalization({ epsilon: 1e-3 }).apply(y) as Sym;
    y = tf.layers.maxPooling1d({ poolSize: 2 }).apply(y) as Sym;
    y = tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }).apply(y) as Sym;
    y = tf.layers.permute({ dims: [2, 1] }).apply(y) as Sym;
    y = tf.layers.reshape({ targetShape: [12, 10] }).apply(y) as Sym;
    y = tf.layers.flatten().apply(y) as Sym;
    y = tf.layers.dense({ units: 3, activation: 'hardSigmoid' }).apply(y) as Sym;
    return tf.model({ inputs: x, outputs: y });
  });
});

test('recurrent: Bidirectional LSTM (fused), SimpleRNN and GRU (unrolled), global average pooling 1-D', async () => {
  await roundTrip(
    'rnn',
    (tf) => {
      const x = tf.input({ shape: [7, 5] });
      let y = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }) as tfTypes.RNN, mergeMode: 'concat' }).apply(x) as Sym;
      y = tf.layers.simpleRNN({ units: 6, returnSequences: true }).apply(y) as Sym;
      const g = tf.layers.gru({ units: 3, returnSequences: true }).apply(y) as Sym;
      y = tf.layers.globalAveragePooling1d().apply(g) as Sym;
      y = tf.layers.repeatVector({ n: 3 }).apply(y) as Sym;
      y = tf.layers.flatten().apply(y) as Sym;
      return tf.model({ inputs: x, outputs: y });
    },
    'tflite-node',
    (ops) => assert.equal(ops['UNIDIRECTIONAL_SEQUENCE_LSTM'], 2),
  );
});

test('Rescaling folds into the first conv; bilinear UpSampling2D as TF.js resizes', async () => {
  await roundTrip(
    'rescale',
    (tf) => {
      const x = tf.input({ shape: [8, 8, 3] });
      let y = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(x) as Sym;
      y = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(y) as Sym;
      y = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }).apply(y) as Sym;
      y = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'swish' }).apply(y) as Sym;
      return tf.model({ inputs: x, outputs: y });
    },
    'litert-js',
    (ops) => {
      assert.equal(ops['MUL'], 1, 'only the swish multiply remains');
      assert.equal(ops['ADD'], undefined);
    },
  );
});
