// The project API handlers and job runners in-process with the real engine: the demo project
// on first start, an INT8 run (convert → evaluate in a real TFLite runtime) recorded with its
// hashes, metrics and artifacts, a local benchmark appended, the calibration preview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectHandlers } from '../../src-main/projects/api-handlers';
import { runProjectConvert } from '../../src-main/app/convert-run';
import { runProjectBench } from '../../src-main/app/project-bench';
import { readRun, sha256File } from '../../src-main/projects/index';
import { createDispatch } from '../../src-main/api/dispatch';
import { createHandlers } from '../../src-main/api/handlers';
import type { RunProgress } from '../../src-main/projects/api-contract';

const home = mkdtempSync(join(tmpdir(), 'eq-home-'));
const handlers = createProjectHandlers(() => home);

test('first start: no recent projects, then the demo project with a real model and calibration set', async () => {
  assert.deepEqual(await handlers['projects.recent']({}), []);
  const view = await handlers['projects.demo']({});
  assert.equal(view.manifest.name, 'MNIST demo');
  assert.equal(view.manifest.models.length, 1);
  // First the labelled digits (digits/0 … digits/9, 40 each), then the flat calibration folder.
  assert.deepEqual(view.manifest.calibrationSets.map((c) => [c.name, c.files]), [['digits', 400], ['calibration', 100]]);
  assert.equal(view.manifest.models[0]!.sha256, await sha256File(join(view.dir, 'model', 'model.json')));
  assert.deepEqual((await handlers['projects.recent']({})).map((r) => r.dir), [view.dir]);
  assert.equal((await handlers['projects.demo']({})).dir, view.dir); // created once
});

test('requests are validated through the contract dispatch', async () => {
  const dispatch = createDispatch(createHandlers({ host: 'browser', jobs: undefined as never, tfjsBackend: async () => null }));
  const bad = await dispatch('projects.run', { dir: home, id: '../escape' });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, 'BAD_REQUEST');
  const missing = await dispatch('projects.open', { dir: join(home, 'nothing-here') });
  assert.equal(!missing.ok && missing.error.code, 'BAD_INPUT');
});

test('INT8 run of the demo: recorded, evaluated in a real runtime, then benchmarked locally', async () => {
  const dir = join(home, 'projects', 'mnist-demo');
  const stages: string[] = [];
  const progress = (p: RunProgress) => {
    if (!stages.includes(p.stage)) stages.push(p.stage);
  };
  const run = await runProjectConvert(
    {
      project: dir,
      request: {
        model: join(dir, 'model', 'model.json'),
        output: join(dir, 'unused.tflite'),
        quantize: { mode: 'int8', inputType: 'int8', outputType: 'int8', int8Only: true, calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
      },
      evaluateData: join(dir, 'eval', 'x.npy'),
      evaluateLabels: join(dir, 'eval', 'labels.npy'),
      benchRuns: 5,
      label: 'int8 io',
    },
    progress,
  );
  assert.equal(run.status, 'succeeded');
  assert.ok(stages.includes('calibrate') && stages.includes('evaluate'), stages.join(','));
  const m = run.metrics;
  assert.ok(m.accuracy! > 0.7 && Math.abs(m.accuracy! - m.floatAccuracy!) < 0.05, JSON.stringify(m));
  assert.ok(m.agreement! > 0.9, `agreement ${m.agreement}`);
  assert.ok(m.sqnrDb! > 15, `sqnr ${m.sqnrDb}`);
  assert.ok(m.sizeBytes! < m.floatBytes!, 'int8 is smaller than float');
  // Thumbnails of the changed predictions are a file of the run when some changed.
  const changed = run.classification!.changed.total > 0 ? ['changed-samples.json'] : [];
  assert.deepEqual(run.artifacts.map((a) => a.name).sort(), [...changed, 'conversion.json', 'evaluation.json', 'model_int8.tflite', 'recipe.json']);
  assert.equal(run.classification!.labelled, 300, 'classification results on the labelled evaluation data');
  // The run keeps the recipe it ran and the quantizer's per-layer table.
  assert.equal(run.quantization?.recipeFile, 'recipe.json');
  assert.ok(run.quantization.layers.length > 0 && run.quantization.layers.every((l) => l.precision === 'int8' || l.domain !== 'integer'));
  const tflite = join(dir, 'runs', run.id, 'model_int8.tflite');
  assert.equal(run.artifacts.find((a) => a.kind === 'tflite')!.sha256, await sha256File(tflite));
  assert.equal(run.io?.inputs[0]?.dtype, 'int8');
  assert.ok(run.io?.inputs[0]?.quant && run.io.inputs[0].quant.scale > 0);
  assert.equal(run.inputs.calibration?.files, 100);
  assert.ok(!existsSync(join(dir, 'unused.tflite')), 'the .tflite goes into the run folder');
  const report = JSON.parse(readFileSync(join(dir, 'runs', run.id, 'evaluation.json'), 'utf8')) as { samples: number };
  assert.equal(report.samples, 300);

  const benched = await runProjectBench({ project: dir, runId: run.id, device: 'local', runs: 20 }, () => undefined);
  const local = benched.deviceResults[0]!;
  assert.equal(local.device, 'local');
  assert.equal(local.samplesMs?.length, 20);
  assert.ok(local.latencyMs!.p50 > 0 && local.latencyMs!.p50 <= local.latencyMs!.p90);
  assert.deepEqual(readRun(dir, run.id).deviceResults.length, 1);
  const [summary] = await handlers['projects.runs']({ dir });
  assert.equal(summary!.latencyP50Ms.local, local.latencyMs!.p50);
});

test('calibration preview: resized to the model input, preset applied', async () => {
  const dir = join(home, 'projects', 'mnist-demo');
  const preview = await handlers['calibration.preview']({ path: join(dir, 'calibration'), preprocess: '-1..1', shape: [1, 14, 14, 1] });
  assert.equal(preview.files, 100);
  assert.deepEqual([preview.width, preview.height, preview.channels], [14, 14, 1]);
  assert.ok(preview.range.min >= -1 && preview.range.max <= 1 && preview.range.min < 0);
  assert.ok(Buffer.from(preview.pngBase64, 'base64').subarray(1, 4).toString() === 'PNG');
  await assert.rejects(handlers['calibration.preview']({ path: join(dir, 'model'), preprocess: '0..1' }), /No images/);
});

test('cancelling a project run mid-way records it as cancelled', async () => {
  const dir = join(home, 'projects', 'mnist-demo');
  const controller = new AbortController();
  let runId: string | undefined;
  const pending = runProjectConvert(
    {
      project: dir,
      request: {
        model: join(dir, 'model', 'model.json'),
        output: join(dir, 'unused.tflite'),
        quantize: { mode: 'int8', inputType: 'float32', outputType: 'float32', int8Only: false, calibration: { path: join(dir, 'calibration'), preprocess: '0..1', samples: 100, method: 'minmax', seed: 0 } },
      },
      evaluateData: join(dir, 'eval', 'x.npy'),
    },
    (p) => {
      runId ??= p.runId;
      // Cancel as soon as calibration reports progress: the work is genuinely under way.
      if (p.stage === 'calibrate' || p.stage === 'evaluate') controller.abort();
    },
    controller.signal,
  );
  await assert.rejects(pending, (error: Error) => error.name === 'CancelledError');
  assert.ok(runId);
  const run = readRun(dir, runId);
  assert.equal(run.status, 'cancelled');
  assert.equal(run.error?.code, 'CANCELLED');
  assert.equal(run.owner, undefined);
});
