import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  addArtifact,
  addCalibrationSet,
  addModel,
  finishRun,
  initProject,
  listRuns,
  openProject,
  readManifest,
  readRun,
  recordDeviceResult,
  recordRun,
  startRun,
} from '../../src-main/projects/index';
import { stableJson } from '../../src-main/projects/atomic-json';
import { CancelledError, OperationError } from '../../src-main/errors';

const tempProject = (name = 'p') => {
  const base = mkdtempSync(join(tmpdir(), 'eq-project-'));
  return join(base, name);
};

test('init writes a readable manifest and refuses to init twice', () => {
  const dir = tempProject();
  const project = initProject(dir, 'My project');
  assert.equal(project.manifest.name, 'My project');
  const text = readFileSync(join(dir, 'edgequant-project.json'), 'utf8');
  assert.ok(text.startsWith('{\n  "schema": 1,\n  "name": "My project",'), text.slice(0, 60));
  assert.ok(existsSync(join(dir, 'runs')));
  assert.throws(() => initProject(dir), /already holds a project/);
  assert.throws(() => openProject(join(dir, 'nope')), /not an EdgeQuant project/);
});

test('stableJson orders keys the same whatever the insertion order', () => {
  assert.equal(stableJson({ b: 1, a: { d: 2, c: 3 }, id: 'x' }), stableJson({ id: 'x', a: { c: 3, d: 2 }, b: 1 }));
  assert.match(stableJson({ z: 1, id: 'r' }), /^\{\n {2}"id": "r",\n {2}"z": 1\n\}\n$/);
});

test('a run records config, hashes, artifacts, metrics and device results', async () => {
  const dir = tempProject();
  initProject(dir);
  const model = join(dir, 'model.bin');
  writeFileSync(model, Buffer.from('not really a model but real bytes'));
  const calib = join(dir, 'calib');
  mkdirSync(calib);
  writeFileSync(join(calib, 'a.txt'), 'A');
  writeFileSync(join(calib, 'b.txt'), 'B');
  const entry = await addModel(dir, model, 'test');
  assert.equal(entry.path, 'model.bin');
  assert.equal(entry.sha256, createHash('sha256').update('not really a model but real bytes').digest('hex'));
  await addModel(dir, model); // same bytes: not added twice
  const calibEntry = await addCalibrationSet(dir, calib, '0..1', 2);
  assert.equal(calibEntry.files, 2);
  assert.equal(readManifest(dir).models.length, 1);

  const run = await startRun(dir, { kind: 'convert', options: { mode: 'int8' } }, { model, calibration: calib, label: 'first' });
  assert.equal(readRun(dir, run.id).status, 'running');
  assert.equal(listRuns(dir)[0]!.status, 'running');
  const artifact = await addArtifact(run, model, 'tflite', 'model_int8.tflite');
  assert.equal(artifact.sha256, entry.sha256);
  recordDeviceResult(run, { device: 'pi4', runs: 10, latencyMs: { min: 1, p50: 2, p90: 3, p99: 4, mean: 2.2, max: 5 } });
  finishRun(run, { status: 'succeeded', metrics: { sizeBytes: 33, accuracy: 0.98 } });
  const record = readRun(dir, run.id);
  assert.equal(record.status, 'succeeded');
  assert.equal(record.inputs.model?.sha256, entry.sha256);
  assert.equal(record.inputs.calibration?.sha256, calibEntry.sha256);
  assert.equal(record.inputs.calibration?.files, 2);
  assert.equal(record.owner, undefined);
  assert.ok(record.durationMs! >= 0);
  assert.deepEqual(record.artifacts.map((a) => a.name), ['model_int8.tflite']);
  assert.ok(existsSync(join(dir, 'runs', run.id, 'model_int8.tflite')));
  const [summary] = listRuns(dir);
  assert.equal(summary!.label, 'first');
  assert.equal(summary!.metrics.accuracy, 0.98);
  assert.deepEqual(summary!.latencyP50Ms, { pi4: 2 });
  assert.deepEqual(readManifest(dir).devices, ['pi4']);
  assert.throws(() => finishRun(run, { status: 'failed' }), /already finished/);
});

test('recordRun finishes as failed or cancelled when the work throws, and rethrows', async () => {
  const dir = tempProject();
  initProject(dir);
  await assert.rejects(recordRun(dir, { kind: 'convert' }, {}, async () => {
    throw new OperationError('runtime exploded');
  }), /runtime exploded/);
  await assert.rejects(recordRun(dir, { kind: 'convert' }, {}, async (run) => {
    run.setMetrics({ partial: 1 });
    throw new CancelledError();
  }), CancelledError);
  const ok = await recordRun(dir, { kind: 'benchmark' }, {}, async (run) => {
    run.setMetrics({ sizeBytes: 10 });
    await run.writeReport('report.json', { hello: 'world' });
    return 42;
  });
  assert.equal(ok.result, 42);
  const runs = listRuns(dir);
  assert.deepEqual(runs.map((r) => r.status).sort(), ['cancelled', 'failed', 'succeeded']);
  const failed = runs.find((r) => r.status === 'failed')!;
  assert.equal(failed.error, 'runtime exploded');
  assert.equal(readRun(dir, failed.id).error?.code, 'FAILED');
  assert.equal(runs.find((r) => r.status === 'cancelled')!.metrics.partial, 1);
  assert.deepEqual(readRun(dir, ok.run.id).artifacts.map((a) => a.name), ['report.json']);
});

test('the index is rebuilt when missing, corrupt, or stale after an outside edit', async () => {
  const dir = tempProject();
  initProject(dir);
  const a = await startRun(dir, { kind: 'convert' });
  finishRun(a, { status: 'succeeded', metrics: { sizeBytes: 1 } });
  const b = await startRun(dir, { kind: 'convert' });
  finishRun(b, { status: 'succeeded' });
  rmSync(join(dir, 'runs', 'index.json'));
  assert.equal(listRuns(dir).length, 2);
  writeFileSync(join(dir, 'runs', 'index.json'), '{"schema":1,"runs":{"x": tru');
  assert.equal(listRuns(dir).length, 2);
  // A run deleted by hand disappears; a run.json edited by hand shows its new content.
  rmSync(join(dir, 'runs', b.id), { recursive: true });
  const file = join(dir, 'runs', a.id, 'run.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"sizeBytes": 1', '"sizeBytes": 7'));
  const runs = listRuns(dir);
  assert.deepEqual(runs.map((r) => r.id), [a.id]);
  assert.equal(runs[0]!.metrics.sizeBytes, 7);
});
