// Jobs run real engine work in worker_threads: the inspect job opens real models from the
// shared fixtures; failures and cancellation arrive as typed job.done events.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventHub } from '../../src-main/api/events';
import type { ApiEvents, ModelSummary } from '../../src-main/api/contract';
import { createJobManager } from '../../src-main/app/jobs';
import { TooManyJobsError } from '../../src-main/jobs/manager';
import { repoRoot } from '../helpers/build';

const fixtures = join(repoRoot, '..', 'shared', 'fixtures');
const events = new EventHub();
const seen: { event: string; payload: ApiEvents[keyof ApiEvents] }[] = [];
events.subscribe((event, payload) => seen.push({ event, payload }));
const jobs = createJobManager({ events });
after(() => jobs.dispose());

test('inspect job on a real .tflite: progress events, then the model summary', async (t) => {
  const model = join(fixtures, 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');
  if (!existsSync(model)) return t.skip('…fixtures absent');
  const id = jobs.start({ kind: 'inspect', params: { path: model } });
  assert.equal(jobs.list().find((j) => j.id === id)?.status, 'running');
  const done = await jobs.wait(id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  const summary = done.result as ModelSummary;
  assert.equal(summary.format, 'tflite');
  assert.equal(summary.inputs.length, 1);
  assert.deepEqual(summary.inputs[0]!.shape.slice(1), [96, 96, 3]); // batch may be dynamic (-1)
  assert.equal(summary.inputs[0]!.dtype, 'int8');
  assert.ok(summary.inputs[0]!.quant, 'int8 input carries quantization');
  assert.ok((summary.opHistogram.DEPTHWISE_CONV_2D ?? 0) > 0);
  assert.ok(summary.parameterCount > 100_000);
  const stages = seen.filter((e) => e.event === 'job.progress' && e.payload.jobId === id).map((e) => (e.payload as ApiEvents['job.progress']).progress);
  assert.deepEqual(stages, [{ stage: 'open' }, { stage: 'summarize' }]);
  assert.equal(jobs.list().find((j) => j.id === id)?.status, 'succeeded');
});

test('a job that fails reports the engine error code and one-line message', async () => {
  const id = jobs.start({ kind: 'inspect', params: { path: join(repoRoot, 'package.json') } });
  const done = await jobs.wait(id);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'BAD_INPUT');
  assert.match(done.error!.message, /package\.json: not a model file/);
  const missing = await jobs.wait(jobs.start({ kind: 'inspect', params: { path: join(repoRoot, 'no-such-model.tflite') } }));
  assert.equal(missing.error?.code, 'BAD_INPUT');
  assert.match(missing.error!.message, /not found/);
  // The app's title (app/job-titles.ts) rides on the job as data: in jobs.list and job.done.
  assert.equal(done.title, 'Inspect package');
  assert.equal(jobs.list().find((j) => j.id === id)?.title, 'Inspect package');
  assert.equal(seen.find((e) => e.event === 'job.done' && e.payload.jobId === id)?.payload.title, 'Inspect package');
});

test('cancel: the job ends as cancelled and its thread stops', async (t) => {
  const model = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
  if (!existsSync(model)) return t.skip('…fixtures absent');
  const id = jobs.start({ kind: 'inspect', params: { path: model } });
  assert.equal(jobs.cancel(id), true);
  assert.equal(jobs.cancel(id), false, 'a second cancel is a no-op');
  const done = await jobs.wait(id);
  assert.equal(done.status, 'cancelled');
  assert.equal(done.error?.code, 'CANCELLED');
  assert.equal(jobs.cancel(id), false);
  assert.ok(seen.some((e) => e.event === 'job.done' && e.payload.jobId === id));
});

test('a job that ignores cancel is terminated after the grace period', async (t) => {
  const model = join(fixtures, 'tfjs', 'nsfwjs_mobilenet_v2', 'model.json');
  if (!existsSync(model)) return t.skip('…fixtures absent');
  const strict = createJobManager({ events: new EventHub(), cancelGraceMs: 0 });
  const id = strict.start({ kind: 'inspect', params: { path: model } });
  const started = performance.now();
  strict.cancel(id);
  const done = await strict.wait(id);
  assert.equal(done.status, 'cancelled');
  assert.ok(performance.now() - started < 2000, 'terminated promptly');
  await strict.dispose();
});

test('unknown job ids are a typed input error', () => {
  assert.throws(() => jobs.cancel('nope'), { name: 'UnknownJobError' });
});

test('more jobs than maxRunning at once are refused with a one-line error, not another thread', async () => {
  const limited = createJobManager({ events: new EventHub(), maxRunning: 2 });
  const model = join(repoRoot, 'package.json');
  const ids = [limited.start({ kind: 'inspect', params: { path: model } }), limited.start({ kind: 'inspect', params: { path: model } })];
  assert.throws(() => limited.start({ kind: 'inspect', params: { path: model } }), (e: unknown) => e instanceof TooManyJobsError && e.code === 'FAILED' && /^2 jobs are running already; wait for one to finish or cancel one\.$/.test(e.message));
  await Promise.all(ids.map((id) => limited.wait(id)));
  await limited.wait(limited.start({ kind: 'inspect', params: { path: model } }));
  await limited.dispose();
});
