// A model's size counts all its files: TF.js shards, a Keras JSON's weights, a whole SavedModel
// folder — in models.inspect's summary, `inspect --json`, `convert --json` and the Results tile.
// `inspect` also shows the ops after the conversion passes (BatchNorm folded) for source formats.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import type { InspectReport } from '../../src-main/cli/commands/inspect';
import { summarizeModel } from '../../src-main/api/summary';
import { openModel } from '../../src-main/formats/registry';
import { sizeFigures } from '../../src-renderer/features/runs/sizes';
import { fixture, hasFixtures, tempDir } from './helpers';

const skip = hasFixtures ? false : '../shared/fixtures absent';

/** Independent of the code under test: sizes straight from the file system. */
function treeBytes(path: string): number {
  const info = statSync(path);
  return info.isDirectory() ? readdirSync(path).reduce((n, e) => n + treeBytes(join(path, e)), 0) : info.size;
}

const savedModel = () => fixture('mlperf-tiny', 'kws', 'kws_ref_model_savedmodel');
const tfjsFiles = () => ['model.json', 'group1-shard1of1'].map((f) => fixture('tfjs', 'nsfwjs_mobilenet_v2', f));

test('models.inspect summary: TF.js json + shards, a SavedModel folder, Keras JSON + weights', { skip }, async () => {
  const [json] = tfjsFiles();
  const tfjs = await summarizeModel(json!, await openModel({ path: json! }, { collectUnsupported: true }));
  assert.equal(tfjs.bytes, tfjsFiles().reduce((n, f) => n + treeBytes(f), 0));
  assert.ok(tfjs.bytes > treeBytes(json!) * 2, 'the shard dominates');

  const saved = await summarizeModel(savedModel(), await openModel({ path: savedModel() }, { collectUnsupported: true }));
  assert.equal(saved.bytes, treeBytes(savedModel()));
  assert.ok(saved.bytes > 1_000_000);

  const config = fixture('keras-json', 'batchnorm', 'modelConfig.json');
  const weights = fixture('keras-json', 'batchnorm', 'weights.h5');
  const keras = await summarizeModel(config, await openModel({ path: config, companions: [weights] }, { collectUnsupported: true }), [weights]);
  assert.equal(keras.bytes, treeBytes(config) + treeBytes(weights));
});

test('convert --json on a SavedModel folder reports the folder total as sourceBytes', { skip }, async () => {
  const r = await cli(['convert', savedModel(), '-o', join(tempDir(), 'kws.tflite'), '--json']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as { bytes: number; sourceBytes: number };
  assert.equal(json.sourceBytes, treeBytes(savedModel()));
  assert.ok(json.bytes > 0);
});

test('inspect: TF.js size counts the shards; ops after conversion fold BatchNorm; none for .tflite', { skip }, async () => {
  const tfjs = JSON.parse((await cli(['inspect', tfjsFiles()[0]!, '--json'])).out) as InspectReport;
  assert.equal(tfjs.sizeBytes, tfjsFiles().reduce((n, f) => n + treeBytes(f), 0));

  const r = await cli(['inspect', fixture('keras-json', 'batchnorm', 'modelConfig.json'), '--json']);
  assert.equal(r.code, 0, r.err);
  const keras = JSON.parse(r.out) as InspectReport;
  assert.equal(keras.ops['MUL'], 4, 'the source graph: BatchNorm as MUL + ADD');
  assert.equal(keras.layers['BatchNormalization'], 4, 'source layers kept');
  const after = keras.opsAfterConversion as Record<string, number>;
  assert.deepEqual(after, { CONV_2D: 2, FULLY_CONNECTED: 3, MAX_POOL_2D: 2, RESHAPE: 1 });
  const text = (await cli(['inspect', fixture('keras-json', 'batchnorm', 'modelConfig.json')])).out;
  assert.match(text, /Ops after conversion \(8\):\n {2}FULLY_CONNECTED {2}3/);
  assert.match(text, /Source layers:\n(.*\n)* {2}BatchNormalization {2}4/);

  const tflite = JSON.parse((await cli(['inspect', fixture('mlperf-tiny', 'vww', 'vww_96_int8.tflite'), '--json'])).out) as InspectReport;
  assert.equal(tflite.opsAfterConversion, undefined);
  assert.doesNotMatch((await cli(['inspect', fixture('mlperf-tiny', 'vww', 'vww_96_int8.tflite')])).out, /after conversion/);
});

test('Results size tile: the .tflite against the float .tflite of the same model, never the source files', () => {
  const figures = sizeFigures({ sourceBytes: 1_158_271, floatTfliteBytes: 99_000, floatBytes: 98_000, sizeBytes: 30_000 });
  assert.deepEqual(figures, { tflite: 30_000, floatTflite: 99_000, source: 1_158_271, smaller: 3.3 });
  assert.equal(sizeFigures({ sourceBytes: 1_158_271, floatBytes: 99_000, sizeBytes: 30_000 }).floatTflite, 99_000, 'a run recorded before floatTfliteBytes: the evaluation\'s float file');
  assert.equal(sizeFigures({ sourceBytes: 1_158_271, sizeBytes: 30_000 }).smaller, null, 'no float .tflite known: no ratio against the source');
  assert.deepEqual(sizeFigures({}), { tflite: null, floatTflite: null, source: null, smaller: null });
});
