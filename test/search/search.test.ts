// The accuracy-budget search on resnet8 int8 calibrated on only 4 photos: every candidate is
// measured on held-out photos, recorded as a project run, the Pareto set is the non-dominated
// set, mixed-precision candidates keep the debugger's worst layers float, and the recommended
// file meets the budget when measured again, independently, and runs in both runtimes.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { evaluate } from '../../src-main/evaluate/index';
import { listRuns } from '../../src-main/projects/runs';
import { getRuntime } from '../../src-main/runtime/index';
import { paretoSet } from '../../src-main/search/pareto';
import type { SearchResult } from '../../src-main/search/types';
import { fixture, hasFixtures, imageFiles } from '../quantize/helpers';
import { demoData, ensureBuilt } from '../helpers/build';

const OUT = join(import.meta.dirname, '..', '..', 'test-output', 'search');
const skip = hasFixtures ? false : '../shared/fixtures absent';

test('search on resnet8 (4 calibration photos, sqnr>=23): Pareto set in the project, mixed int8 candidates, a recommended file that meets the budget', { skip }, async (t) => {
  rmSync(OUT, { recursive: true, force: true });
  const cal = join(OUT, 'cal4');
  mkdirSync(cal, { recursive: true });
  for (const f of imageFiles('photos').slice(0, 4)) copyFileSync(f, join(cal, f.split('/').pop()!));
  const project = join(OUT, 'project');
  assert.equal((await cli(['project', 'init', project])).code, 0);
  const best = join(OUT, 'best.tflite');
  const data = fixture('images', 'litert_224');
  const args = ['search', fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'), '-o', best, '--calibration', cal, '--preprocess', '0..255', '--data', data, '--budget', 'sqnr>=23', '--candidates', 'fp16,int8,int8-mixed', '--max-keep-float', '4', '--project', project];
  const run = await cli([...args, '--json']);
  assert.equal(run.code, 0, run.err);
  const result = JSON.parse(run.out) as SearchResult;
  t.diagnostic(`\n${(await import('../../src-main/search/format')).formatSearch(result)}`);
  assert.match(run.err, /\[\d+\/\d+\] measuring FP16 weights/, 'progress names its stage');

  // The budget sits above plain int8 (17.5 dB with nearest rounding, 19.9 dB with the default bias
  // correction, 2026-12-03), so the search has to try keeping layers float.
  const ids = result.candidates.map((c) => c.id);
  assert.deepEqual(ids.slice(0, 2), ['fp16', 'int8']);
  const mixed = result.candidates.filter((c) => c.kind === 'int8-mixed');
  assert.ok(mixed.length >= 2, `mixed candidates: ${mixed.map((c) => c.id).join(', ')}`);
  for (const c of mixed) assert.equal(c.keepFloat!.length, Number(c.id.replace('int8-float', '')));
  const int8 = result.candidates.find((c) => c.id === 'int8')!;
  const bestMixed = Math.max(...mixed.map((c) => c.outputs[0]!.sqnrDb));
  assert.ok(bestMixed > int8.outputs[0]!.sqnrDb + 1, `keeping layers float helps: ${bestMixed.toFixed(1)} vs int8 ${int8.outputs[0]!.sqnrDb.toFixed(1)} dB`);
  assert.deepEqual([...result.pareto].sort(), paretoSet(result.candidates).map((c) => c.id).sort());

  // The recommendation is the smallest candidate meeting the budget, and it holds when measured again.
  const meeting = result.candidates.filter((c) => c.meetsBudget).sort((a, b) => a.bytes - b.bytes);
  assert.equal(result.recommended, meeting[0]!.id);
  assert.ok(existsSync(best));
  const again = await evaluate({ floatModel: fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'), quantModel: best, data, preprocess: '0..255', latencyRuns: 0, runtime: 'litert-js' });
  assert.ok(again.outputs[0]!.sqnrDb >= 23, `re-measured ${again.outputs[0]!.sqnrDb} dB`);
  const inNode = await getRuntime('tflite-node').load(new Uint8Array(readFileSync(best)));
  inNode.dispose();

  // Every candidate is a run of the project with its figures and its file.
  const runs = listRuns(project);
  const searchRuns = runs.filter((r) => r.label?.startsWith('search (sqnr>=23)'));
  assert.equal(searchRuns.length, result.candidates.length);
  for (const r of searchRuns) {
    assert.equal(r.status, 'succeeded');
    assert.ok(typeof r.metrics['sizeBytes'] === 'number' && typeof r.metrics['sqnrDb'] === 'number', JSON.stringify(r.metrics));
  }
});

test('search: bad requests are one-line errors with exit 2', async () => {
  await ensureBuilt();
  const model = join(demoData, 'model', 'model.json');
  const cal = join(demoData, 'calibration');
  const same = await cli(['search', model, '-o', join(OUT, 'x.tflite'), '--calibration', cal, '--data', cal, '--budget', 'sqnr>=30']);
  assert.equal(same.code, 2);
  assert.match(same.err, /held-out/);
  const badBudget = await cli(['search', model, '-o', join(OUT, 'x.tflite'), '--calibration', cal, '--data', 'x.npy', '--budget', 'speed>=3']);
  assert.equal(badBudget.code, 2);
  assert.match(badBudget.err, /not understood/);
  const badKind = await cli(['search', model, '-o', join(OUT, 'x.tflite'), '--calibration', cal, '--data', 'x.npy', '--budget', 'sqnr>=3', '--candidates', 'int4']);
  assert.equal(badKind.code, 2);
  assert.equal(badKind.err.trim().split('\n').length, 1);
});

test('search on movenet-lightning (int8 ~13 dB): sqnr>=30 gives a file that meets it on held-out photos, the Pareto set in the project with mixed int8 candidates', { skip }, async (t) => {
  const movenet = join(import.meta.dirname, '..', '..', 'node_modules', '@vladmandic', 'human-models', 'models', 'movenet-lightning.json');
  const dir = join(OUT, 'movenet');
  rmSync(dir, { recursive: true, force: true });
  const project = join(dir, 'project');
  assert.equal((await cli(['project', 'init', project])).code, 0);
  const best = join(dir, 'best.tflite');
  const heldOut = fixture('images', 'coral');
  // 8 calibration photos and one mixed candidate: int8 stays far below the budget however it is
  // calibrated (the doubling and halving of the mixed candidates is the resnet8 test's).
  const run = await cli(['search', movenet, '-o', best, '--calibration', fixture('images', 'litert_224'), '--samples', '8', '--preprocess', '0..255', '--data', heldOut, '--budget', 'sqnr>=30', '--candidates', 'fp16,int8,int8-mixed', '--max-keep-float', '1', '--project', project, '--json']);
  assert.equal(run.code, 0, run.err);
  const result = JSON.parse(run.out) as SearchResult;
  t.diagnostic(`\n${(await import('../../src-main/search/format')).formatSearch(result)}`);
  const int8 = result.candidates.find((c) => c.id === 'int8')!;
  assert.ok(int8.outputs[0]!.sqnrDb < 30, `plain int8 misses the budget (${int8.outputs[0]!.sqnrDb.toFixed(1)} dB)`);
  const mixed = result.candidates.filter((c) => c.kind === 'int8-mixed');
  assert.ok(mixed.length >= 1 && mixed.every((c) => c.keepFloat!.length >= 1 && Number.isFinite(c.bytes) && c.outputs.length === 1));
  assert.ok(result.recommended, result.verdict);
  const again = await evaluate({ floatModel: movenet, quantModel: best, data: heldOut, preprocess: '0..255', latencyRuns: 0, runtime: 'litert-js' });
  assert.ok(again.outputs[0]!.sqnrDb >= 30, `the written file re-measured: ${again.outputs[0]!.sqnrDb} dB`);
  const recorded = listRuns(project).filter((r) => r.label?.startsWith('search (sqnr>=30)'));
  assert.equal(recorded.length, result.candidates.length);
  assert.ok(recorded.some((r) => (r.metrics['keptFloat'] ?? 0) > 0), 'a mixed-precision candidate is in the project');
});
