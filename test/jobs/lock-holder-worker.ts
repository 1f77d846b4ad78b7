// A job worker that is stopped while it holds project locks: it starts a run (as project-convert
// does), reports it, then blocks inside the run's lock and the run index's lock until the job
// manager terminates it. Loaded by worker-crash.test.ts as the job entry.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, JobWorkerData } from '../../src-main/jobs/protocol';
import { withLock } from '../../src-main/projects/lock';
import { runLockPaths, startRun } from '../../src-main/projects/runs';

const data = workerData as JobWorkerData;
const { project } = data.params as { project: string };
const run = await startRun(project, { kind: 'convert' });
parentPort!.postMessage({ type: 'progress', progress: { stage: 'start', runId: run.id } } satisfies FromWorker);
const [runLock, indexLock] = runLockPaths({ dir: project, id: run.id });
withLock(runLock!, () =>
  withLock(indexLock!, () => {
    parentPort!.postMessage({ type: 'progress', progress: { stage: 'locked', runId: run.id } } satisfies FromWorker);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until terminated
  }),
);
