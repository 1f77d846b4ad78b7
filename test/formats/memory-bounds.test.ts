// Memory bounded by what the model declares: hostile files built here (a few MB on disk) that
// declare a GiB are refused with one line naming the member or layer and the size, before
// anything that large is inflated or allocated.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../convert/helpers';
import { deflateZeros, zipOf } from '../helpers/zip-bomb';
import { inspectModel } from '../../src-main/cli/commands/inspect';
import { runCli } from '../../src-main/cli/main';
import { openDataset } from '../../src-main/data/open';
import { InputError } from '../../src-main/errors';

const GiB = 1024 ** 3;

/** Runs `body` and returns its rejection and how much the RSS grew meanwhile. */
async function refusal(body: () => Promise<unknown>): Promise<{ error: unknown; grewMb: number }> {
  const before = process.memoryUsage().rss;
  const error = await body().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, grewMb: (process.memoryUsage().rss - before) / 1024 ** 2 };
}

test('a .npz whose compressed member holds 1 GiB of zeros is refused before it is inflated', async () => {
  const dir = tempDir('edgequant-bomb-');
  // The npy header declares exactly the 1 GiB the member inflates to: [2^28] float32.
  const text = `{'descr': '<f4', 'fortran_order': False, 'shape': (${GiB / 4},), }`.padEnd(117, ' ') + '\n';
  const npy = new Uint8Array(128);
  npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0]);
  npy.set(new TextEncoder().encode(text), 10);
  const member = deflateZeros(npy, GiB);
  const path = join(dir, 'bomb.npz');
  writeFileSync(path, zipOf([{ name: 'x.npy', data: member, method: 8, size: npy.length + GiB }]));
  const { error, grewMb } = await refusal(() => openDataset(path, [{ name: 'x', shape: [1, 4], dtype: 'float32' }]));
  assert.ok(error instanceof InputError, String(error));
  assert.match(error.message, /bomb\.npz:x\.npy: compressed member holds 1\.00 GiB, more than the 512\.0 MiB read whole; save the data with numpy\.savez/);
  assert.ok(grewMb < 200, `RSS grew ${grewMb.toFixed(0)} MB`);
});

test('a .keras whose weights member inflates 1 GiB at ~160x is refused naming the member', async () => {
  const dir = tempDir('edgequant-bomb-');
  const config = new TextEncoder().encode(JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [] } }));
  const path = join(dir, 'bomb.keras');
  const weights = deflateZeros(new Uint8Array(0), GiB);
  writeFileSync(path, zipOf([{ name: 'config.json', data: config, method: 0, size: config.length }, { name: 'model.weights.h5', data: weights, method: 8, size: GiB }]));
  const { error, grewMb } = await refusal(() => inspectModel(path));
  assert.ok(error instanceof InputError, String(error));
  assert.match(error.message, /bomb\.keras: zip member 'model\.weights\.h5' expands \d+x to 1\.00 GiB \(limit 20x\); refusing a possible zip bomb\.$/);
  assert.ok(grewMb < 200, `RSS grew ${grewMb.toFixed(0)} MB`);
});

test('a 1 KB Keras JSON with a Dense of 200000 units is refused naming the layer and the size, without allocating it', async () => {
  const dir = tempDir('edgequant-bomb-');
  const path = join(dir, 'huge-dense.json');
  const layers = [
    { class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, 4096] } },
    { class_name: 'Dense', config: { name: 'huge', units: 200000 } },
  ];
  writeFileSync(path, JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers } }));
  const { error, grewMb } = await refusal(() => inspectModel(path));
  assert.ok(error instanceof InputError, String(error));
  assert.match(error.message, /^\S*huge-dense\.json: Layer 'huge': weight 'kernel' \[4,096, 200,000\] takes the model to 819,200,000 parameters \(3\.05 GiB as float32\); the limit is 536,870,912/);
  assert.ok(grewMb < 200, `RSS grew ${grewMb.toFixed(0)} MB`);
  // The CLI: exit 2 with that one line.
  const stderr: string[] = [];
  const code = await runCli(['inspect', path], { stdout: () => {}, stderr: (t) => stderr.push(t), cwd: dir, env: {} });
  assert.equal(code, 2);
  assert.equal(stderr.join('').trim().split('\n').length, 1);
});

test('the bounds leave real models alone: a small Dense model still opens', async () => {
  // (MobileNet, NASNet, DenseNet and EfficientNet configs are converted in test/keras/keras-json.test.ts.)
  const dir = tempDir('edgequant-bomb-');
  const config = {
    class_name: 'Sequential',
    config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, 8] } }, { class_name: 'Dense', config: { name: 'd', units: 4 } }] },
  };
  const path = join(dir, 'small.json');
  writeFileSync(path, JSON.stringify(config));
  const report = await inspectModel(path);
  assert.equal(report.parameters, 36);
});
