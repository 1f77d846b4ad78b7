// Bad input found by the importer fuzz, each as a small file made here: every one ends in a typed
// error whose one line names the file, the part and what was expected (CLI exit 2), and a bug of
// ours that still escapes an importer is reported as an internal error (exit 1), not raw.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { tempDir } from '../convert/helpers';
import { inspectModel } from '../../src-main/cli/commands/inspect';
import { runCli } from '../../src-main/cli/main';
import { EdgeQuantError, InputError } from '../../src-main/errors';
import { ImporterInternalError, openWith } from '../../src-main/formats/registry';

async function inspectError(path: string): Promise<EdgeQuantError> {
  const error = await inspectModel(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof InputError, `expected a typed input error, got ${String(error)}`);
  assert.ok(!error.message.includes('\n') && error.message.length < 400, error.message);
  return error;
}

const graphModel = (node: unknown[]) => ({
  format: 'graph-model',
  modelTopology: { node },
  weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 2], dtype: 'float32' }] }],
});

test('a TF.js graph model whose node inputs are not a list, or whose weight dtype is unknown, names the file and the field', async () => {
  const dir = tempDir('edgequant-typed-');
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(16));
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(graphModel([{ name: 'x', op: 'Placeholder' }, { name: 'y', op: 'MatMul', input: true }])));
  const error = await inspectError(path);
  assert.match(error.message, /model\.json: field 'modelTopology\.node\[1\]\.input' is wrong/);
  const json = graphModel([{ name: 'x', op: 'Placeholder' }]);
  json.weightsManifest[0]!.weights[0]!.dtype = 'float65536';
  writeFileSync(path, JSON.stringify(json));
  assert.match((await inspectError(path)).message, /model\.json: field 'weightsManifest\[0\]\.weights\[0\]\.dtype' is wrong/);
});

test('a TF.js layers model with a negative weight shape, a folder as shard or a huge input names the file and the part', async () => {
  const dir = tempDir('edgequant-typed-');
  const path = join(dir, 'model.json');
  const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 2] } }] } };
  writeFileSync(path, JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [-1, 2], dtype: 'float32' }] }] }));
  const error = await inspectError(path);
  assert.match(error.message, /model\.json: field 'weightsManifest\[0\]\.weights\[0\]\.shape\[0\]' is wrong/);
  // A shard path naming the folder itself, and an input of 10^12 values (found by the fuzz).
  writeFileSync(path, JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: [''], weights: [] }] }));
  assert.match((await inspectError(path)).message, /model\.json: weight shard '' is missing next to model\.json\./);
  const huge = { ...topology, config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 1e12] } }] } };
  writeFileSync(path, JSON.stringify({ modelTopology: huge, weightsManifest: [] }));
  assert.match((await inspectError(path)).message, /model\.json: Input '\S+' declares \[\?, 1000000000000\]: 1\.00e\+12 values per sample, more than 536870912/);
});

test('Keras JSON: a null layer, a shape that is a number, a bad tensor reference and broken JSON each name the file and the part', async () => {
  const dir = tempDir('edgequant-typed-');
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 2] } };
  const nullLayer = write('null-layer.json', JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [input, null] } }));
  assert.match((await inspectError(nullLayer)).message, /null-layer\.json: Keras config: layer 1 of a Sequential is null, expected a layer object\./);
  const numberShape = write('number-shape.json', JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [{ ...input, config: { name: 'in', batch_input_shape: 5 } }] } }));
  assert.match((await inspectError(numberShape)).message, /number-shape\.json: Keras config: 'batch_input_shape' is 5, expected a list of dimensions/);
  const history = { class_name: '__keras_tensor__', config: { keras_history: {} } };
  const functional = { name: 'f', layers: [input, { class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: [{ args: [history] }] }], input_layers: [['in', 0, 0]], output_layers: [['d', 0, 0]] };
  const badHistory = write('bad-history.json', JSON.stringify({ class_name: 'Functional', config: functional }));
  assert.match((await inspectError(badHistory)).message, /bad-history\.json: Keras config: a tensor's keras_history is \{\}, expected \[layer name, node index, tensor index\]\./);
  const broken = write('broken.json', '{"class_name": "Sequential", "config": {"name": "s", "layers": [}}');
  assert.match((await inspectError(broken)).message, /broken\.json: not valid JSON \(unexpected character "}"\); the file is damaged/);
});

test('a .keras with a damaged weights member names the archive and the member, not a temporary file', async () => {
  const dir = tempDir('edgequant-typed-');
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  const weightsPath = join(dir, 'w.h5');
  const file = new h5wasm.File(weightsPath, 'w');
  file.create_group('layers').create_group('d').create_group('vars').create_dataset({ name: '0', data: new Float32Array(4), shape: [2, 2], dtype: '<f' });
  file.close();
  const weights = new Uint8Array(readFileSync(weightsPath));
  const config = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 2] } }, { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false } }] } };
  const path = join(dir, 'damaged.keras');
  writeFileSync(path, zipSync({ 'config.json': new TextEncoder().encode(JSON.stringify(config)), 'model.weights.h5': weights.subarray(0, 600) }));
  const error = await inspectError(path);
  assert.match(error.message, /damaged\.keras:model\.weights\.h5: HDF5 file is truncated/);
  assert.doesNotMatch(error.message, /edgequant-keras-/);
});

test('the importer boundary: a typed error gets the file name, a raw one becomes an internal error (exit 1)', async () => {
  const importer = (error: Error) => ({ name: 'x', title: 'X model', extensions: ['.x'], match: () => true, open: () => Promise.reject(error) });
  const typed = await openWith(importer(new InputError('weight w is missing.')), { path: '/models/a.x' }).catch((e: unknown) => e);
  assert.ok(typed instanceof InputError);
  assert.equal(typed.message, '/models/a.x: weight w is missing.');
  const raw = await openWith(importer(new TypeError("Cannot read properties of undefined (reading 'map')")), { path: '/models/a.x' }).catch((e: unknown) => e);
  assert.ok(raw instanceof ImporterInternalError);
  assert.equal(raw.exitCode, 1);
  assert.match(raw.message, /^Internal error while reading \/models\/a\.x as X model \(please report\): /);
});

test('the CLI: bad input exits 2 with one line on stderr', async () => {
  const dir = tempDir('edgequant-typed-');
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(graphModel([{ name: 'x', op: 7 }])));
  const stderr: string[] = [];
  const code = await runCli(['inspect', path], { stdout: () => {}, stderr: (t) => stderr.push(t), cwd: dir, env: {} });
  assert.equal(code, 2);
  assert.equal(stderr.join('').trim().split('\n').length, 1);
  assert.match(stderr.join(''), /model\.json: field 'modelTopology\.node\[0\]\.op' is wrong/);
});

test('a TF.js graph node whose constant inputs cannot compute it (a MatMul left with one operand) is a one-line input error naming the node', async () => {
  const { GraphModelWriter } = await import('../detect/graph-model');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'edgequant-fold-'));
  const g = new GraphModelWriter();
  const x = g.placeholder('x', [1, 2]);
  const w = g.constant('w', [2, 2], Float32Array.from([1, 2, 3, 4]));
  const broken = g.op('broken', 'MatMul', [w], { transpose_a: { b: false }, transpose_b: { b: false } });
  g.op('y', 'AddV2', [x, broken]);
  const path = g.write(dir, [{ name: x, shape: [1, 2] }], ['y']);
  const { openModel } = await import('../../src-main/formats/registry');
  await assert.rejects(openModel({ path }), (e: Error) => {
    assert.ok(e instanceof InputError, `${e.name}: ${e.message}`);
    assert.match(e.message, /MatMul 'broken' cannot be computed from its 1 constant input/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
});

test('a recurrent layer declared over 100,000 time steps is refused at once, naming the layer, instead of unrolling it', async () => {
  const dir = tempDir('edgequant-steps-');
  const model = {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'long', layers: [{ class_name: 'GRU', config: { name: 'gru', units: 2, batch_input_shape: [null, 100000, 3], reset_after: true, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true } }] },
      keras_version: '2.4.0',
      backend: 'tensorflow',
    },
    weightsManifest: [],
  };
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(model));
  const started = performance.now();
  const { code, err } = await (async () => {
    const out: string[] = [];
    const errs: string[] = [];
    const c = await runCli(['convert', path, '-o', join(dir, 'x.tflite')], { stdout: (t) => out.push(t), stderr: (t) => errs.push(t), cwd: dir, env: {} });
    return { code: c, err: errs.join('') };
  })();
  assert.equal(code, 2, err);
  assert.match(err, /GRU layer 'gru' would be unrolled over 100000 time steps, more than the 4096/);
  assert.ok(performance.now() - started < 20_000, 'refused before building the graph');
});
