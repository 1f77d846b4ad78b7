// Inside a job worker thread: runs the one job named in workerData with the runner the table
// gives for its kind, and reports progress, then a result or an error. Cancellation arrives as
// a message and aborts the job's signal; the manager terminates the thread if the job does not
// stop in time. The worker entry (app/job-worker.ts) calls serveJob with the application's table
// and its table of one-shot tasks (off-thread.ts: requests whose work is too heavy for the thread
// that answers requests).
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, errorCode, oneLine } from '../errors';
import type { TaskTable } from './off-thread';
import type { FromWorker, JobContext, JobKindMap, JobRunners, JobWorkerData, ToWorker } from './protocol';

export function serveJob<M extends JobKindMap<M>, T extends TaskTable<T> = Record<never, never>>(runners: JobRunners<M>, tasks?: T): void {
  if (!parentPort) throw new Error('A job worker entry must run as a worker thread (see jobs/manager.ts).');
  const port = parentPort;
  const data = workerData as JobWorkerData;
  const controller = new AbortController();
  const post = (message: FromWorker) => port.postMessage(message);

  port.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') controller.abort();
  });

  async function run(): Promise<void> {
    const table = (data.task ? (tasks ?? {}) : runners) as Record<string, (params: unknown, context: JobContext<unknown>) => Promise<unknown>>;
    const runner = Object.hasOwn(table, data.kind) ? table[data.kind] : undefined;
    if (!runner) throw new Error(`Unknown ${data.task ? 'task' : 'job kind'} '${data.kind}'.`);
    // Each progress report is also a cancellation point: after a cancel it throws instead.
    const progress = (value: unknown) => {
      if (controller.signal.aborted) throw new CancelledError('Cancelled by the user.');
      post({ type: 'progress', progress: value });
    };
    const report = (value: unknown) => post({ type: 'progress', progress: value });
    const result = await runner(data.params, { progress, report, signal: controller.signal });
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
}
