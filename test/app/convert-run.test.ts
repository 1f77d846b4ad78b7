// Convert as a project run reads its data once and reuses the graph it built: the calibration
// hash, calibration, the GPTQ sample stream and the held-out evaluation share one read of each
// sample file (counted by the data reader's injectable counter); evaluation takes the float graph
// of the conversion (an injected converter counts one conversion per run), so a Keras JSON +
// weights model is evaluated with its weights; the preview shows the sample calibration reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertAsProjectRun } from '../../src-main/app/convert-run';
import { convertModel } from '../../src-main/convert/pipeline';
import type { ConvertRequest } from '../../src-main/convert/types';
import { hashSet } from '../../src-main/data/hashing';
import { writeNpy } from '../../src-main/data/npy';
import { openDataset } from '../../src-main/data/open';
import { previewSample } from '../../src-main/data/preview';
import { DataReader } from '../../src-main/data/reader';
import type { Converter } from '../../src-main/evaluate/float-model';
import { initProject } from '../../src-main/projects/index';
import { demoData, ensureBuilt, repoRoot } from '../helpers/build';

const demo = demoData;
await ensureBuilt();
const fixtures = join(repoRoot, '..', 'shared', 'fixtures');

function workspace(): { project: string; calibration: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eq-run-data-'));
  const calibration = join(dir, 'digits');
  cpSync(join(demo, 'calibration'), calibration, { recursive: true });
  const project = join(dir, 'project');
  initProject(project);
  return { project, calibration };
}

function countingConverter(): { convert: Converter; calls: () => number } {
  let calls = 0;
  return {
    convert: (request, options) => {
      calls++;
      return convertModel(request, options);
    },
    calls: () => calls,
  };
}

const int8 = (model: string, calibration: string, extra: Partial<ConvertRequest> = {}): ConvertRequest => ({
  model,
  output: join(tmpdir(), 'unused.tflite'),
  quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, weightRounding: 'gptq', calibration: { path: calibration, preprocess: '0..1', samples: 60, method: 'minmax', seed: 0 } },
  ...extra,
});

test('one int8 gptq run reads each sample file once; evaluation is on the 20 held-out digits and converts nothing again', async () => {
  const { project, calibration } = workspace();
  const reads = new Map<string, number>();
  const reader = new DataReader({ onRead: (path) => reads.set(path, (reads.get(path) ?? 0) + 1) });
  const counter = countingConverter();
  const { run, evaluation } = await convertAsProjectRun({ project, request: int8(join(demo, 'model', 'model.json'), calibration), benchRuns: 0 }, { reader, convert: counter.convert });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(counter.calls(), 1, 'the run converts once; evaluation uses its float graph');
  // Without evaluation data the run holds out 20% (20 digits) by default; calibration takes 60 of
  // the other 80. Hashing read all 100 files; calibration, the gptq stream and evaluation reused them.
  assert.equal(reads.size, 100);
  assert.deepEqual([...new Set(reads.values())], [1], 'every sample file read once');
  assert.equal(reader.readsPerFile(), 1);
  assert.equal(run.inputs.calibration?.files, 100);
  assert.equal(run.config.request?.quantize.calibration?.holdOut, 0.2, 'the run records the held-out share');
  assert.equal(evaluation?.samples, 20);
  assert.equal(evaluation?.data, `validation: 20 held-out samples of ${calibration} (20% kept apart; calibration never used them)`);
  assert.equal(run.metrics.evalSamples, 20);
  assert.deepEqual(run.validation && { heldOut: run.validation.heldOut, samples: run.validation.samples }, { heldOut: true, samples: 20 });
  assert.ok(run.verdict, 'the run has a verdict');
  assert.ok((run.metrics.agreement ?? 0) >= 0.9, `top-1 agreement ${run.metrics.agreement}`);
});

test('held-out samples are never the calibration samples', async () => {
  const { calibration } = workspace();
  const input = [{ name: 'x', shape: [1, 28, 28, 1], dtype: 'float32' }];
  const names = async (options: Parameters<typeof openDataset>[2]) => {
    const dataset = await openDataset(calibration, input, { preprocess: '0..1', ...options });
    const out: string[] = [];
    for await (const sample of dataset.samples()) out.push(sample.source);
    await dataset.close();
    return out;
  };
  const calibrated = await names({ samples: 60, seed: 0, holdOut: { fraction: 0.2, part: 'calibration' } });
  // Asking calibration for every sample still leaves the held-out share out.
  const all = await names({ samples: 100, seed: 0, holdOut: { fraction: 0.2, part: 'calibration' } });
  const heldOut = await names({ seed: 0, holdOut: { fraction: 0.2, part: 'validation' } });
  assert.equal(calibrated.length, 60);
  assert.equal(all.length, 80);
  assert.equal(heldOut.length, 20);
  assert.deepEqual(calibrated.filter((n) => heldOut.includes(n)), []);
  assert.deepEqual(all.filter((n) => heldOut.includes(n)), []);
});

test('the preview shows the first sample calibration reads, through a JSON preprocess file', async () => {
  const { calibration } = workspace();
  const preprocess = join(calibration, '..', 'pre.json');
  writeFileSync(preprocess, JSON.stringify({ scale: 1 / 255, mean: 0.5, std: 0.25 }));
  const input = { name: 'x', shape: [1, 28, 28, 1], dtype: 'float32' };
  const preview = await previewSample({ path: calibration, preprocess, shape: input.shape, samples: 60, seed: 0 });
  const dataset = await openDataset(calibration, [input], { preprocess, samples: 60, seed: 0 });
  let first;
  for await (const sample of dataset.samples()) {
    first ??= sample;
  }
  await dataset.close();
  assert.equal(preview.sample, first!.source);
  const values = first!.inputs[0]!;
  assert.equal(preview.range.min, Math.min(...values));
  assert.equal(preview.range.max, Math.max(...values));
  // (0 − 0.5) / 0.25 = −2 for black pixels, (1 − 0.5) / 0.25 = 2 for white ones.
  assert.equal(preview.range.min, -2);
  assert.equal(preview.range.max, 2);
  assert.deepEqual([preview.width, preview.height, preview.channels], [28, 28, 1]);
});

const lenet = { config: join(fixtures, 'keras-json', 'lenet', 'modelConfig.json'), weights: join(fixtures, 'keras-json', 'lenet', 'mnist_weights_only.h5') };

test('a Keras JSON + weights run evaluates with its weights', { skip: existsSync(lenet.weights) ? false : '../shared/fixtures absent' }, async () => {
  const { project, calibration } = workspace();
  const counter = countingConverter();
  const request = int8(lenet.config, calibration, { companions: [lenet.weights] });
  request.quantize.weightRounding = 'nearest';
  const { run, evaluation } = await convertAsProjectRun({ project, request, benchRuns: 0 }, { convert: counter.convert });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(counter.calls(), 1);
  assert.equal(evaluation?.float.convertedFrom, lenet.config);
  // Float with random weights (the companion dropped) against quantized trained weights gives
  // noise, not a close match.
  assert.ok((run.metrics.sqnrDb ?? 0) >= 20, `SQNR ${run.metrics.sqnrDb} dB`);
  assert.ok((run.metrics.agreement ?? 0) >= 0.95, `top-1 agreement ${run.metrics.agreement}`);
});

test('a calibration folder of symlinked samples hashes (and reads) the files they point to', async () => {
  const { calibration } = workspace();
  const linked = mkdtempSync(join(tmpdir(), 'eq-linked-'));
  for (const name of ['digit0_000.png', 'digit0_010.png']) symlinkSync(join(calibration, name), join(linked, name));
  const reads: string[] = [];
  const hashed = await hashSet(linked, new DataReader({ onRead: (path) => reads.push(path) }));
  assert.equal(hashed.files, 2);
  assert.equal(reads.length, 2);
});

test('a .npy set: hashing and two passes over its samples read the file once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eq-npy-'));
  const path = join(dir, 'x.npy');
  await writeNpy(path, { dtype: 'float32', shape: [10, 4], data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)) });
  const reads: string[] = [];
  const reader = new DataReader({ onRead: (p) => reads.push(p) });
  await hashSet(path, reader);
  const input = [{ name: 'x', shape: [1, 4], dtype: 'float32' }];
  for (let pass = 0; pass < 2; pass++) {
    const dataset = await openDataset(path, input, { samples: 6, seed: 0, reader });
    let n = 0;
    for await (const _ of dataset.samples()) n++;
    await dataset.close();
    assert.equal(n, 6);
  }
  assert.deepEqual(reads, [path]);
});

test('a set too small to hold a share out: the run succeeds, unvalidated, and says why', async () => {
  const { project } = workspace();
  const path = join(mkdtempSync(join(tmpdir(), 'eq-one-')), 'one.npy');
  await writeNpy(path, { dtype: 'float32', shape: [1, 28, 28, 1], data: Float32Array.from({ length: 784 }, (_, i) => (i % 28) / 28) });
  const request = int8(join(demo, 'model', 'model.json'), path);
  request.quantize.weightRounding = 'nearest';
  delete request.quantize.calibration!.preprocess;
  const { run, evaluation } = await convertAsProjectRun({ project, request, benchRuns: 0 });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(evaluation, undefined);
  assert.equal(run.validation, undefined);
  assert.ok(run.warnings.some((w) => /^Not validated: No held-out samples in .*one\.npy: 1 sample\(s\) are too few/.test(w)), run.warnings.join(' | '));
});
