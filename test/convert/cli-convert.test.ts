// The convert command end to end: --json reports size, op histogram and timings; --project
// records the run in a project folder; the TF.js size counts its weight shards.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { fixture, hasFixtures, tempDir } from './helpers';

test('convert --json prints one JSON document with size, ops and timings', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
  const dir = tempDir();
  const r = await cli(['convert', fixture('tfjs', 'nsfwjs_mobilenet_v2', 'model.json'), '-o', join(dir, 'm.tflite'), '--json']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as { bytes: number; sourceBytes: number; opHistogram: Record<string, number>; timings: Record<string, number>; inputs: { shape: number[] }[] };
  assert.ok(json.bytes > 9_000_000);
  assert.ok(json.sourceBytes > 2_000_000, 'model.json plus its weight shard');
  assert.equal(json.opHistogram['CONV_2D'], 35);
  assert.ok(json.timings['totalMs']! > 0 && json.timings['importMs']! > 0);
  assert.deepEqual(json.inputs[0]!.shape, [1, 224, 224, 3]);
});

test('convert --project records the run', { skip: hasFixtures ? false : '../shared/fixtures absent' }, async () => {
  const dir = tempDir();
  const project = join(dir, 'proj');
  assert.equal((await cli(['project', 'init', project])).code, 0);
  const r = await cli(['convert', fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'), '-o', join(dir, 'r8.tflite'), '--project', project]);
  assert.equal(r.code, 0, r.err);
  const runs = await cli(['project', 'runs', project, '--json']);
  const list = JSON.parse(runs.out) as { status: string; metrics: { sizeBytes?: number } }[] | { runs: { status: string; metrics: { sizeBytes?: number } }[] };
  const items = Array.isArray(list) ? list : list.runs;
  assert.equal(items.length, 1);
  assert.equal(items[0]!.status, 'succeeded');
  assert.ok((items[0]!.metrics.sizeBytes ?? 0) > 300_000);
});
