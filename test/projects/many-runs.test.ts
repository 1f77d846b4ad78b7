// 1,000 runs: the history lists them from the index, and rebuilds the index from run records
// when it is missing. (Timing targets live in bench/projects-list.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initProject, listRuns, finishRun, startRun } from '../../src-main/projects/index';
import { writeJsonAtomic } from '../../src-main/projects/atomic-json';
import { seedRuns } from './seed-runs';

test('1,000 runs list newest first; the index is rebuilt when deleted', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'eq-many-')), 'p');
  initProject(dir);
  seedRuns(dir, 1000, { mkdirSync, writeJsonAtomic });
  const first = listRuns(dir); // no index yet: built from the 1,000 run records
  assert.equal(first.length, 1000);
  assert.equal(first[0]!.id, 'run-0999');
  assert.equal(first[999]!.id, 'run-0000');
  assert.equal(first[500]!.metrics.sizeBytes, 499 * 100 + 1000);
  // A normal run added through the API lands in the index without a rebuild.
  const live = await startRun(dir, { kind: 'convert' });
  finishRun(live, { status: 'succeeded' });
  assert.equal(listRuns(dir).length, 1001);
  rmSync(join(dir, 'runs', 'index.json'));
  assert.equal(listRuns(dir).length, 1001);
});
