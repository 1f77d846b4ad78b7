// The conversion job (src-main/convert/pipeline.ts) in a worker thread: a real Keras .h5 to
// .tflite whose output runs in a real TFLite runtime like the official file, and cooperative
// cancellation mid-conversion that leaves no output behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventHub } from '../../src-main/api/events';
import type { ApiEvents } from '../../src-main/api/contract';
import type { ConvertResult } from '../../src-main/convert/types';
import { createJobManager } from '../../src-main/app/jobs';
import { fixture, hasFixtures, loadPhoto, photoFiles, runTflite, sqnrDb, tempDir } from '../convert/helpers';

const events = new EventHub();
const progress: ApiEvents['job.progress'][] = [];
events.subscribe((event, payload) => {
  if (event === 'job.progress') progress.push(payload as ApiEvents['job.progress']);
});
// A long grace period: cancellation here must be cooperative, not the hard terminate.
const jobs = createJobManager({ events, cancelGraceMs: 60_000 });
after(() => jobs.dispose());
const skip = hasFixtures ? false : '…fixtures absent';

test('convert job: resnet8 .h5 → float .tflite that runs like the official file', { skip }, async () => {
  const output = join(tempDir('eq-job-'), 'resnet8.tflite');
  const id = jobs.start({
    kind: 'convert',
    params: { model: fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.h5'), output, quantize: { mode: 'none', inputType: 'float32', outputType: 'float32', int8Only: false } },
  });
  const done = await jobs.wait(id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  const result = done.result as ConvertResult;
  assert.equal(result.output, output);
  assert.ok(!('model' in result), 'the in-memory graph stays in the worker');
  const stages = new Set(progress.filter((p) => p.jobId === id).map((p) => (p.progress as { stage: string }).stage));
  assert.ok(stages.has('import') && stages.has('write'), [...stages].join(','));

  const samples = await Promise.all(photoFiles().slice(0, 4).map((f) => loadPhoto(f, 32)));
  const ours = await runTflite(new Uint8Array(readFileSync(output)), samples);
  const official = await runTflite(new Uint8Array(readFileSync(fixture('mlperf-tiny', 'resnet8', 'pretrainedResnet.tflite'))), samples);
  const sqnr = sqnrDb(official, ours);
  assert.ok(sqnr >= 60, `SQNR ${sqnr.toFixed(1)} dB vs the official float file`);
});

test('convert job: cancel during int8 calibration stops cooperatively and writes nothing', { skip }, async () => {
  const dir = tempDir('eq-job-cancel-');
  const output = join(dir, 'vww_int8.tflite');
  const id = jobs.start({
    kind: 'convert',
    params: {
      model: fixture('mlperf-tiny', 'vww', 'vww_96.h5'),
      output,
      quantize: {
        mode: 'int8',
        inputType: 'int8',
        outputType: 'int8',
        int8Only: true,
        calibration: { path: fixture('images', 'photos'), preprocess: '0..1', samples: 8, method: 'minmax', seed: 1 },
      },
    },
  });
  // Cancel as soon as the job reports it has reached a stage past the import.
  await new Promise<void>((resolve) => {
    const off = events.subscribe((event, payload) => {
      const p = payload as ApiEvents['job.progress'];
      if (event === 'job.progress' && p.jobId === id && (p.progress as { stage: string }).stage !== 'import') {
        off();
        resolve();
      }
    });
  });
  const cancelledAt = performance.now();
  assert.equal(jobs.cancel(id), true);
  const done = await jobs.wait(id);
  assert.equal(done.status, 'cancelled', JSON.stringify(done));
  assert.equal(done.error?.code, 'CANCELLED');
  assert.ok(performance.now() - cancelledAt < 30_000, 'stopped well before the hard-terminate grace period');
  assert.equal(existsSync(output), false);
  assert.deepEqual(readdirSync(dir), [], 'no partial file left');
  const stages = progress.filter((p) => p.jobId === id).map((p) => (p.progress as { stage: string }).stage);
  assert.equal(stages.includes('write'), false, `stages: ${stages.join(',')}`);
});
