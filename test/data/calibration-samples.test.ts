// Calibration samples: a NaN or Inf is reported against the file and sample it is in (it used to
// surface as a broken range of some layer downstream), and a non-image input of rank >= 2 without
// a batch dim (a TF.js graph model taking [2,2]) calibrates from an array [N,2,2].
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTflite, sqnrDb, tempDir } from '../convert/helpers';
import { convertModel } from '../../src-main/convert/pipeline';
import type { ConvertRequest } from '../../src-main/convert/types';
import { writeNpy } from '../../src-main/data/npy';
import { InputError } from '../../src-main/errors';
import { openDataset } from '../../src-main/data/open';
import { seededRandom } from '../../src-main/seeded-random';

const W = Float32Array.of(0.5, -1.25, 2, 0.75);

/** A TF.js graph model y = x @ w with x of shape [2,2] (no batch dim), as the converter writes it. */
function matmulGraphModel(dir: string): string {
  const shape = { dim: [{ size: '2' }, { size: '2' }] };
  const model = {
    format: 'graph-model',
    signature: { inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: shape } }, outputs: { 'y:0': { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: shape } } },
    modelTopology: {
      node: [
        { name: 'w', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape } }, dtype: { type: 'DT_FLOAT' } } },
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape } } },
        { name: 'y', op: 'MatMul', input: ['x', 'w'], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } } },
      ],
    },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 2], dtype: 'float32' }] }],
  };
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(W.buffer));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  return join(dir, 'model.json');
}

function samples(n: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: 4 }, () => random() * 2 - 1));
}

const int8 = (model: string, output: string, calibration: string): ConvertRequest => ({
  model,
  output,
  quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: calibration, samples: 64, method: 'minmax', seed: 1 } },
});

test('a TF.js graph model with input [2,2] calibrates from [N,2,2] and the int8 file tracks x @ w', async () => {
  const dir = tempDir('edgequant-calib-');
  const model = matmulGraphModel(dir);
  const data = samples(64, 3);
  const npy = join(dir, 'samples.npy');
  const flat = new Float32Array(64 * 4);
  data.forEach((s, i) => flat.set(s, i * 4));
  await writeNpy(npy, { dtype: 'float32', shape: [64, 2, 2], data: flat });
  const out = join(dir, 'int8.tflite');
  await convertModel(int8(model, out, npy));
  const held = samples(16, 99);
  const quantized = await runTflite(new Uint8Array(readFileSync(out)), held);
  const reference = held.map((x) => Float32Array.from({ length: 4 }, (_, k) => x[Math.floor(k / 2) * 2]! * W[k % 2]! + x[Math.floor(k / 2) * 2 + 1]! * W[2 + (k % 2)]!));
  const sqnr = sqnrDb(reference, quantized);
  assert.ok(sqnr > 30, `SQNR ${sqnr.toFixed(1)} dB`);

  // [N,2] does not fit; the message asks for the right shape.
  const wrong = join(dir, 'rows.npy');
  await writeNpy(wrong, { dtype: 'float32', shape: [128, 2], data: flat });
  const error = await convertModel(int8(model, join(dir, 'x.tflite'), wrong)).catch((e: unknown) => e);
  assert.ok(error instanceof InputError);
  assert.match(error.message, /rows\.npy has shape \[128,2\] but input 'x' takes samples of shape \[2,2\]; save an array of shape \[N,2,2\]\./);
});

test('a NaN in a calibration sample is reported against its file and sample index', async () => {
  const dir = tempDir('edgequant-calib-');
  const values = Float32Array.from({ length: 12 }, (_, i) => i / 12);
  values[2 * 4 + 1] = Number.NaN;
  const npy = join(dir, 'with-nan.npy');
  await writeNpy(npy, { dtype: 'float32', shape: [3, 4], data: values });
  const dataset = await openDataset(npy, [{ name: 'x', shape: [1, 4], dtype: 'float32' }]);
  const read = async () => {
    for await (const sample of dataset.samples()) void sample;
  };
  await assert.rejects(read(), (e: unknown) => e instanceof InputError && /^with-nan\.npy\[2\]: value 1 for input 'x' is NaN; samples must be finite numbers/.test(e.message));
  await dataset.close();

  // Through convert, on a model: the sample is named, not a layer.
  const model = matmulGraphModel(dir);
  const inf = new Float32Array(64 * 4).fill(0.5);
  inf[5 * 4 + 3] = Number.POSITIVE_INFINITY;
  const data = join(dir, 'with-inf.npy');
  await writeNpy(data, { dtype: 'float32', shape: [64, 2, 2], data: inf });
  const error = await convertModel(int8(model, join(dir, 'x.tflite'), data)).catch((e: unknown) => e);
  assert.ok(error instanceof InputError);
  assert.match(error.message, /with-inf\.npy\[5\]: value 3 for input 'x' is Infinity/);
});
