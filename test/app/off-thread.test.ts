// Heavy requests run as tasks in the job worker (app/tasks.ts through jobs/off-thread.ts): the
// answer equals the in-thread function's, a task's typed error keeps its code and message, a task
// name is looked up only in the task table (never the job kinds), and the runner's bounds refuse
// or stop work in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { jobWorkerEntry } from '../../src-main/app/jobs';
import { offThreadHandlers } from '../../src-main/app/tasks';
import { OperationError } from '../../src-main/errors';
import { OffThreadRunner, TaskError } from '../../src-main/jobs/off-thread';
import { previewCalibration } from '../../src-main/projects/calibration-preview';
import { createProjectHandlers } from '../../src-main/projects/api-handlers';
import { repoRoot } from '../helpers/build';

const entry = jobWorkerEntry(new URL('../../src-main/app/jobs.ts', import.meta.url).href);
const handlers = offThreadHandlers(entry);
const work = mkdtempSync(join(tmpdir(), 'eq-off-thread-'));

test('calibration.preview in the worker answers exactly what the in-thread preview does', async () => {
  const folder = join(work, 'images');
  mkdirSync(folder);
  await sharp({ create: { width: 12, height: 9, channels: 3, background: { r: 250, g: 20, b: 90 } } }).png().toFile(join(folder, 'one.png'));
  const request = { path: folder, preprocess: '-1..1', shape: [1, 6, 8, 3] };
  const inThread = await previewCalibration(request.path, request.preprocess, request.shape);
  assert.deepEqual(await handlers['calibration.preview'](request), inThread);
});

test("a task's typed error crosses with its code and one-line message", async () => {
  const request = { dir: join(work, 'no-project'), path: join(repoRoot, 'package.json'), format: 'tflite' as const };
  const expected = await createProjectHandlers(() => join(work, 'home'))['projects.addModel'](request).then(
    () => assert.fail('addModel accepted a missing project'),
    (error: { code: string; message: string }) => error,
  );
  await assert.rejects(handlers['projects.addModel'](request), (e: unknown) => e instanceof TaskError && e.code === expected.code && e.message === expected.message);
});

test('a task name is served from the task table only: a job kind is not a task', async () => {
  const runner = new OffThreadRunner<{ inspect: (request: { path: string }) => Promise<unknown> }>({ entry });
  await assert.rejects(runner.run('inspect', { path: join(repoRoot, 'package.json') }), (e: unknown) => e instanceof TaskError && e.code === 'INTERNAL' && e.message === "Unknown task 'inspect'.");
});

test('the runner refuses work beyond its line and stops a task past its time', async () => {
  type Tasks = { 'calibration.preview': (request: { path: string; preprocess: string }) => Promise<unknown> };
  const single = new OffThreadRunner<Tasks>({ entry, maxRunning: 1, maxWaiting: 0 });
  const request = { path: join(work, 'images'), preprocess: '0..1' };
  const first = single.run('calibration.preview', request);
  await assert.rejects(single.run('calibration.preview', request), (e: unknown) => e instanceof OperationError && e.message === '1 heavy requests are already in progress; try again when they finish.');
  await first;
  const hurried = new OffThreadRunner<Tasks>({ entry, timeoutMs: 1 });
  await assert.rejects(hurried.run('calibration.preview', request), /calibration\.preview took longer than 0 s and was stopped; pick a smaller input\./);
});
