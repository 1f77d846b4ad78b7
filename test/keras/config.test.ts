// Keras config handling: legacy list-form Sequential configs, nested models inlined, and
// `collectUnsupported` (what `inspect` uses) listing every unsupported layer at once.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { flattenModel, type KerasLayerJson } from '../../src-main/formats/keras/config';
import { openModel } from '../../src-main/formats/registry';
import { convertTo, fixture, hasFixtures, runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { randomSamples, runTfjs, tfjs } from './tfjs-reference';

const skip = hasFixtures ? false : '../shared/fixtures absent';

test('a Keras ≤ 2.1 Sequential whose config is a list is read', { skip }, async () => {
  const json = JSON.parse(readFileSync(fixture('tfjs', 'tfjs_e2e', 'legacy_sequential_list_config.json'), 'utf8')) as { modelTopology: KerasLayerJson };
  const flat = flattenModel(json.modelTopology);
  assert.deepEqual(flat.inputs.map((i) => i.shape), [[null, 10]]);
  assert.deepEqual(flat.calls.map((c) => c.className), ['Dense']);
  // Its weights shard is not in the fixtures: the error names it, in one line.
  await assert.rejects(convertTo(tempDir(), fixture('tfjs', 'tfjs_e2e', 'legacy_sequential_list_config.json')), /weight shard '.\/bundle_model_test_weights.bin' is missing/);
});

test('inspect-style opening lists every Lambda layer of inceptionresnetv2 at once', { skip }, async () => {
  const model = await openModel({ path: fixture('keras-json', 'architectures_only', 'inceptionresnetv2.json') }, { collectUnsupported: true });
  const lambdas = model.unsupported.filter((u) => u.className === 'Lambda');
  assert.ok(lambdas.length >= 40, `found ${lambdas.length} Lambda layers`);
  assert.ok(lambdas.some((u) => u.layer === 'block35_1') && lambdas.some((u) => u.layer.startsWith('block8_')));
});

test('a model nested inside a Functional model is inlined and matches TF.js', async () => {
  const tf = await tfjs();
  const inner = tf.sequential({ name: 'head', layers: [tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu', name: 'head_dense' }), tf.layers.dense({ units: 3, name: 'head_out' })] });
  const x = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units: 6, activation: 'tanh', name: 'stem' }).apply(x) as tfTypes.SymbolicTensor;
  const y = inner.apply(h) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: y, name: 'outer' });
  const dir = tempDir();
  mkdirSync(join(dir, 'saved'));
  await model.save({
    save: async (a) => {
      writeFileSync(join(dir, 'saved', 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs ?? [] }] }));
      writeFileSync(join(dir, 'saved', 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const result = await convertTo(dir, join(dir, 'saved', 'model.json'));
  assert.deepEqual(result.opHistogram, { FULLY_CONNECTED: 3, TANH: 1 });
  const samples = randomSamples(4, 4, 2);
  const ref = await runTfjs(model, samples, [1, 4]);
  const got = await runTflite(new Uint8Array(readFileSync(result.output)), samples);
  assert.ok(sqnrDb(ref, got) >= 60);
});
