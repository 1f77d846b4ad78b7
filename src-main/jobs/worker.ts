// Job worker thread entry: runs one job of the kind named in workerData and reports progress,
// then a result or an error. Cancellation arrives as a message and aborts the job's signal;
// the manager terminates the thread if the job does not stop in time.
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, errorCode, oneLine } from '../errors';
import { jobKinds, type JobContext } from './kinds';
import { isOffThreadTask, offThreadTasks } from './tasks';
import type { FromWorker, JobWorkerData, ToWorker } from './protocol';
import type { JobKind } from '../api/contract';

if (!parentPort) throw new Error('jobs/worker.ts must run as a worker thread (see jobs/manager.ts).');
const port = parentPort;
const data = workerData as JobWorkerData;
const controller = new AbortController();
const post = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') controller.abort();
});

async function run(): Promise<void> {
  const runner = (isOffThreadTask(data.kind) ? offThreadTasks[data.kind] : jobKinds[data.kind]) as (
    params: unknown,
    context: JobContext<JobKind>,
  ) => Promise<unknown>;
  if (!runner) throw new Error(`Unknown job kind '${data.kind}'.`);
  // Each progress report is also a cancellation point: after a cancel it throws instead.
  const progress = (value: unknown) => {
    if (controller.signal.aborted) throw new CancelledError('Cancelled by the user.');
    post({ type: 'progress', progress: value });
  };
  const result = await runner(data.params, { progress, signal: controller.signal });
  if (controller.signal.aborted) throw new CancelledError('Cancelled by the user.');
  post({ type: 'result', result });
}

run().then(
  () => port.close(),
  (error: unknown) => {
    post({ type: 'error', error: { code: controller.signal.aborted ? 'CANCELLED' : errorCode(error), message: oneLine(error) } });
    port.close();
  },
);
