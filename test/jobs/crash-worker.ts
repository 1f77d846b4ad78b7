// A job worker that crashes for real: it starts the project run it was asked to record (as the
// project-convert job does), reports the run id, then throws outside any try, which kills its
// worker thread with an uncaught exception. Loaded by worker-crash.test.ts as the job entry.
import { parentPort, workerData } from 'node:worker_threads';
import { startRun } from '../../src-main/projects/runs';
import type { FromWorker, JobWorkerData } from '../../src-main/jobs/protocol';

const data = workerData as JobWorkerData;
const { project } = data.params as { project: string };
const run = await startRun(project, { kind: 'convert' });
parentPort!.postMessage({ type: 'progress', progress: { stage: 'start', runId: run.id } } satisfies FromWorker);
setTimeout(() => {
  throw new Error('simulated native crash in the converter');
}, 20);
