// The "Search" job of a project on the real demo MNIST CNN: with no held-out data given, 20% of
// the calibration digits are kept out of calibration and the candidates are judged on them only;
// each candidate reaches the progress stream as soon as it is measured, with the id of the run it
// became; the runs are in the project with their files; cancelling keeps the runs measured so far.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoProject, DEMO_EVAL } from '../../src-main/projects/demo';
import { runProjectSearch, searchRequest } from '../../src-main/app/search-run';
import { jobParamSchemas } from '../../src-main/api/schemas';
import { listRuns, readRun } from '../../src-main/projects/index';
import type { SearchJobProgress } from '../../src-main/search/api-contract';
import { CancelledError } from '../../src-main/errors';

const work = mkdtempSync(join(tmpdir(), 'eq-search-job-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('searchRequest: relative paths from the project; no held-out data → the calibration set\'s held-out share', () => {
  const { request, judgedOn } = searchRequest({ project: '/p', model: 'model/model.json', calibration: { path: 'calibration', preprocess: '0..1' }, budget: 'sqnr>=30' }, '/p/search/best.tflite');
  assert.equal(request.model, '/p/model/model.json');
  assert.equal(request.data, '/p/calibration');
  assert.equal(request.calibration.holdOut, 0.2);
  assert.deepEqual(request.dataHoldOut, { fraction: 0.2, seed: request.calibration.seed });
  assert.match(judgedOn, /20% of \/p\/calibration held out/);
  const given = searchRequest({ project: '/p', model: '/abs/m.h5', calibration: { path: 'calibration' }, data: 'eval/x.npy', labels: 'eval/labels.npy', budget: 'agreement>=99%' }, '/p/x.tflite').request;
  assert.equal(given.data, '/p/eval/x.npy');
  assert.equal(given.labels, '/p/eval/labels.npy');
  assert.equal(given.calibration.holdOut, undefined);
  assert.equal(given.dataHoldOut, undefined);
  // A detector fix for every candidate reaches the engine; none is the model as it is; the payload schema knows the fixes.
  const params = { project: '/p', model: 'm.h5', calibration: { path: 'c' }, budget: 'sqnr>=30' };
  assert.equal(searchRequest({ ...params, detectorFix: 'split' }, '/p/x.tflite').request.detectorFix, 'split');
  assert.equal(searchRequest({ ...params, detectorFix: 'none' }, '/p/x.tflite').request.detectorFix, undefined);
  assert.equal(jobParamSchemas['project-search'].parse({ ...params, detectorFix: 'head-int16' }).detectorFix, 'head-int16');
  assert.throws(() => jobParamSchemas['project-search'].parse({ ...params, detectorFix: 'boxes' }), /detectorFix/);
});

test('search job on the demo: candidates stream with their run ids, judged on held-out digits', async () => {
  const dir = await ensureDemoProject(join(work, 'home'));
  const seen: SearchJobProgress[] = [];
  const result = await runProjectSearch(
    { project: dir, model: 'model/model.json', calibration: { path: 'calibration', preprocess: '0..1', samples: 40 }, budget: 'sqnr>=25', kinds: ['fp16', 'int8'] },
    (p) => seen.push(p),
  );
  const streamed = seen.flatMap((p) => (p.candidate ? [p.candidate] : []));
  assert.deepEqual(streamed.map((c) => c.id), ['fp16', 'int8']);
  assert.deepEqual(result.candidates.map((c) => [c.id, c.runId]), streamed.map((c) => [c.id, c.runId]), 'the result names each candidate\'s run too');
  assert.ok(seen.some((p) => /measuring FP16/.test(p.stage) && p.total === 2), 'stages name the candidate and the plan');
  for (const c of streamed) {
    assert.ok(c.runId, `${c.id} has a run`);
    const run = readRun(dir, c.runId);
    assert.equal(run.status, 'succeeded');
    assert.ok(run.artifacts.some((a) => a.kind === 'tflite'));
    assert.equal(run.metrics['sizeBytes'], c.bytes);
  }
  assert.match(result.judgedOn, /20% of .*calibration held out/);
  assert.equal(result.recommended, result.candidates.filter((c) => c.meetsBudget).sort((a, b) => a.bytes - b.bytes)[0]?.id);
  if (result.recommended) assert.ok(result.output && existsSync(result.output), 'recommended file written in the project');
  console.log(result.verdict);
});

test('search job: cancelled after the first candidate, the measured run stays', async () => {
  const dir = await ensureDemoProject(join(work, 'home2'));
  const controller = new AbortController();
  const before = listRuns(dir).length;
  await assert.rejects(
    runProjectSearch(
      { project: dir, model: 'model/model.json', calibration: { path: 'calibration', preprocess: '0..1', samples: 20 }, data: DEMO_EVAL.data, budget: 'sqnr>=25', kinds: ['fp16', 'dynamic', 'int8'] },
      (p) => {
        // Like the job worker: a report after the cancel is where the job stops.
        if (controller.signal.aborted) throw new CancelledError('Cancelled by the user.');
        if (p.candidate) controller.abort();
      },
      controller.signal,
    ),
    CancelledError,
  );
  const runs = listRuns(dir).slice(before);
  assert.equal(runs.filter((r) => r.status === 'succeeded').length, 1, runs.map((r) => `${r.label} ${r.status}`).join(', '));
});
