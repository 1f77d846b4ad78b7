// A job whose worker thread dies mid-run (an uncaught exception, or a terminate while the app
// keeps running) must not leave its project run 'running': the job manager finishes it as
// failed, with the reason, before it announces job.done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventHub } from '../../src-main/api/events';
import type { ApiEvents } from '../../src-main/api/contract';
import { createJobManager } from '../../src-main/app/jobs';
import { initProject, listRuns, readRun } from '../../src-main/projects/index';
import { runLockPaths } from '../../src-main/projects/runs';
import { repoRoot } from '../helpers/build';

function newProject(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'eq-crash-')), 'proj');
  initProject(dir);
  return dir;
}

test('an uncaught error kills the worker: the run it was writing is marked failed with the cause', async () => {
  const project = newProject();
  const events = new EventHub();
  const entry = { file: fileURLToPath(new URL('./crash-worker.ts', import.meta.url)), fromSource: true };
  const jobs = createJobManager({ events, entry });
  let runAtDone: string | undefined;
  events.subscribe((event) => {
    if (event === 'job.done') runAtDone = listRuns(project)[0]?.status;
  });
  const id = jobs.start({ kind: 'project-convert', params: { project, request: {} } as never });
  const done = await jobs.wait(id);
  assert.equal(done.status, 'failed');
  assert.match(done.error!.message, /Job worker crashed: simulated native crash/);
  const [summary] = listRuns(project);
  assert.ok(summary, 'the worker started a run');
  const run = readRun(project, summary.id);
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.code, 'WORKER_EXITED');
  assert.match(run.error!.message, /worker thread stopped before finishing the run: it crashed \(simulated native crash in the converter\)/);
  assert.equal(run.owner, undefined);
  assert.ok(run.finishedAt);
  assert.equal(runAtDone, 'failed', 'the run is final before job.done is emitted');
  await jobs.dispose();
});

test('a real project-convert job whose worker is terminated mid-run leaves a failed run, not a running one', async () => {
  const project = newProject();
  const events = new EventHub();
  const jobs = createJobManager({ events });
  const model = join(repoRoot, 'resources', 'demo', 'model', 'model.json');
  let id = '';
  const started = new Promise<void>((resolve) =>
    events.subscribe((event, payload) => {
      const p = payload as ApiEvents['job.progress'];
      if (event === 'job.progress' && p.jobId === id && (p.progress as { runId?: string }).runId) resolve();
    }),
  );
  id = jobs.start({
    kind: 'project-convert',
    params: { project, request: { model, output: join(project, 'unused.tflite'), quantize: { mode: 'fp16', inputType: 'float32', outputType: 'float32', int8Only: false } } },
  });
  await started;
  await jobs.dispose(); // what the app does to running jobs when it shuts its services down
  const done = await jobs.wait(id);
  assert.equal(done.status, 'failed');
  const [summary] = listRuns(project);
  const run = readRun(project, summary!.id);
  assert.equal(run.status, 'failed', JSON.stringify(run.error));
  assert.equal(run.error?.code, 'WORKER_EXITED');
  assert.match(run.error!.message, /it was terminated \(exit code 1\)/);
});

test('a worker terminated while holding the run and index locks: its locks are released and the run is marked failed at once', async () => {
  const project = newProject();
  const events = new EventHub();
  const entry = { file: fileURLToPath(new URL('./lock-holder-worker.ts', import.meta.url)), fromSource: true };
  const jobs = createJobManager({ events, entry, cancelGraceMs: 50 });
  let id = '';
  const locked = new Promise<void>((resolve) =>
    events.subscribe((event, payload) => {
      const p = payload as ApiEvents['job.progress'];
      if (event === 'job.progress' && p.jobId === id && (p.progress as { stage?: string }).stage === 'locked') resolve();
    }),
  );
  id = jobs.start({ kind: 'project-convert', params: { project, request: {} } as never });
  await locked;
  const [summary] = listRuns(project);
  const [runLock, indexLock] = runLockPaths({ dir: project, id: summary!.id });
  assert.ok(existsSync(runLock!) && existsSync(indexLock!), 'the worker holds both locks');
  jobs.cancel(id); // ignored by the blocked worker: terminated after the grace period
  const done = await jobs.wait(id);
  assert.equal(done.status, 'cancelled');
  assert.doesNotMatch(done.error!.message, /could not be marked finished/);
  const run = readRun(project, summary!.id);
  assert.equal(run.status, 'cancelled', 'marked finished without waiting for the locks to go stale');
  assert.equal(existsSync(runLock!) || existsSync(indexLock!), false, 'the dead thread\'s locks are gone');
  await jobs.dispose();
});

