// Done-when for Keras to_json() configs + weights-only HDF5 (KotlinDL fixtures): they convert
// and match the same Keras model run in TF.js; architecture-only configs convert with seeded
// random weights and run; Lambda and subclassed models are refused with one clear line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { flattenModel, type KerasLayerJson } from '../../src-main/formats/keras/config';
import { weightSourceFor } from '../../src-main/formats/keras/keras-h5';
import { Hdf5File } from '../../src-main/formats/hdf5/h5file';
import { UnsupportedError } from '../../src-main/errors';
import { convertTo, fixture, hasFixtures, runTflite, sqnrDb, tempDir, top1Agreement } from '../convert/helpers';
import { kerasInTfjs, randomSamples, runTfjs } from './tfjs-reference';

const skip = hasFixtures ? false : '../shared/fixtures absent';

interface Case {
  name: string;
  config: string;
  weights: string;
  shape: number[];
  runtime: 'litert-js' | 'tflite-node';
  classifier: boolean;
}

const cases: Case[] = [
  { name: 'lenet', config: 'lenet/modelConfig.json', weights: 'lenet/mnist_weights_only.h5', shape: [1, 28, 28, 1], runtime: 'litert-js', classifier: true },
  { name: 'toyresnet', config: 'toyresnet/modelConfig.json', weights: 'toyresnet/weights.h5', shape: [1, 28, 28, 1], runtime: 'litert-js', classifier: true },
  { name: 'batchnorm', config: 'batchnorm/modelConfig.json', weights: 'batchnorm/weights.h5', shape: [1, 28, 28, 1], runtime: 'litert-js', classifier: true },
  // LSTM state is a variable tensor: LiteRT.js refuses those, tflite-node runs them.
  { name: 'lstm (3 stacked)', config: 'lstm/model.json', weights: 'lstm/weights.h5', shape: [1, 40, 41], runtime: 'tflite-node', classifier: true },
];

for (const c of cases) {
  test(`Keras JSON + weights: ${c.name} converts and matches Keras in TF.js`, { skip }, async () => {
    const configPath = fixture('keras-json', c.config);
    const weightsPath = fixture('keras-json', c.weights);
    // Weights first, config second: the JSON is still taken as the model.
    const result = await convertTo(tempDir(), weightsPath, { companions: [configPath] });
    assert.deepEqual(result.inputs[0]!.shape, c.shape);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as KerasLayerJson;
    const file = await Hdf5File.open(weightsPath);
    const keras = await kerasInTfjs(config, weightSourceFor(file, flattenModel(config)));
    file.close();
    const size = c.shape.reduce((a, d) => a * d, 1);
    const samples = randomSamples(8, size, 11, 0, 1);
    const ref = await runTfjs(keras, samples, c.shape);
    const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples, c.runtime);
    const sqnr = sqnrDb(ref, got);
    console.log(`# ${c.name}: ${JSON.stringify(result.opHistogram)} SQNR vs TF.js ${sqnr.toFixed(1)} dB (${c.runtime})`);
    assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB < 60`);
    if (c.classifier) assert.equal(top1Agreement(ref, got), 1);
  });
}

for (const name of ['efficientb0', 'mobilenet', 'nasnetmobile']) {
  test(`architecture-only ${name} converts with random weights and runs`, { skip }, async () => {
    const result = await convertTo(tempDir(), fixture('keras-json', 'architectures_only', `${name}.json`));
    assert.ok(result.warnings.some((w) => /random weights/.test(w)));
    const input = result.inputs[0]!;
    const size = input.shape.reduce((a, d) => a * d, 1);
    const [out] = await runTflite(new Uint8Array(readFileSync(result.output)), randomSamples(1, size, 3, 0, 1));
    assert.equal(out!.length, result.outputs[0]!.shape.reduce((a, d) => a * d, 1));
    assert.ok(out!.every(Number.isFinite), 'outputs are finite');
    console.log(`# ${name}: ${result.bytes} B ${JSON.stringify(result.opHistogram)}`);
  });
}

test('inceptionresnetv2 (Lambda layers) is refused naming the layer and its class', { skip }, async () => {
  const error = await convertTo(tempDir(), fixture('keras-json', 'architectures_only', 'inceptionresnetv2.json')).catch((e: unknown) => e);
  assert.ok(error instanceof UnsupportedError);
  // The importer boundary puts the file's name in front.
  assert.match(error.message, /^\S*inceptionresnetv2\.json: Layer 'block35_1' \(Lambda\) is not supported: [^\n]+$/);
});

test('a Keras 3 subclassed model is refused naming its class', { skip }, async () => {
  const error = await convertTo(tempDir(), fixture('keras-json', 'keras3_subclassed_custom_model.keras')).catch((e: unknown) => e);
  assert.ok(error instanceof UnsupportedError);
  assert.match(error.message, /NestedDenseModel/);
  assert.doesNotMatch(error.message, /\n/);
});
