// A cancel makes every progress report a cancellation point, but what the job already finished
// (a search candidate whose run is written) is reported anyway: the UI must show what the project
// keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { EventHub } from '../../src-main/api/events';
import type { ApiEvents } from '../../src-main/api/contract';
import { createJobManager } from '../../src-main/app/jobs';

test('report() reaches the UI after a cancel; progress() after it does not', async () => {
  const events = new EventHub();
  const stages: string[] = [];
  events.subscribe((event, payload) => {
    if (event === 'job.progress') stages.push(((payload as ApiEvents['job.progress']).progress as { stage: string }).stage);
  });
  const entry = { file: fileURLToPath(new URL('./report-worker.ts', import.meta.url)), fromSource: true };
  const jobs = createJobManager({ events, entry, cancelGraceMs: 30_000 });
  try {
    const id = jobs.start({ kind: 'inspect', params: { path: 'unused' } });
    while (!stages.includes('waiting')) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(jobs.cancel(id), true);
    const done = await jobs.wait(id);
    assert.equal(done.status, 'cancelled');
    assert.deepEqual(stages, ['waiting', 'finished before the cancel took effect']);
  } finally {
    await jobs.dispose();
  }
});
