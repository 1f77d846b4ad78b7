// Runs one task of tasks.ts in a worker thread (the job worker's entry) and answers with its
// result or its typed error. Bounded: at most MAX_RUNNING at once (more wait in line, up to
// MAX_WAITING), and each is stopped after timeoutMs.
import { randomUUID } from 'node:crypto';
import { EdgeQuantError, OperationError, type ErrorCode } from '../errors';
import { defaultWorkerEntry, spawnJobWorker, type WorkerEntry } from './entry';
import type { FromWorker, JobWorkerData } from './protocol';
import { offThreadTasks, type OffThreadTask } from './tasks';

/** An error the task threw in its worker, with the code it had there. */
export class TaskError extends EdgeQuantError {
  override name = 'TaskError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_RUNNING = 4;
const MAX_WAITING = 64;
let running = 0;
const waiting: (() => void)[] = [];
let entry: WorkerEntry | undefined;

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw new OperationError(`${MAX_RUNNING + MAX_WAITING} heavy requests are already in progress; try again when they finish.`);
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

type TaskResult<T extends OffThreadTask> = Awaited<ReturnType<(typeof offThreadTasks)[T]>>;

export async function runOffThread<T extends OffThreadTask>(
  task: T,
  request: Parameters<(typeof offThreadTasks)[T]>[0],
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<TaskResult<T>> {
  const release = await slot();
  try {
    entry ??= defaultWorkerEntry();
    const data: JobWorkerData = { jobId: `task-${randomUUID()}`, kind: task, params: request };
    const worker = spawnJobWorker(entry, data);
    return await new Promise<TaskResult<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new OperationError(`${task} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped; pick a smaller input.`));
        void worker.terminate();
      }, timeoutMs);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'result') {
          resolve(message.result as TaskResult<T>);
          void worker.terminate();
        }
        else if (message.type === 'error') reject(new TaskError(message.error.code as ErrorCode, message.error.message));
      });
      worker.on('error', (error) => reject(new TaskError('INTERNAL', `${task}: its worker crashed (${error.message}).`)));
      worker.on('exit', () => {
        clearTimeout(timer);
        reject(new TaskError('INTERNAL', `${task}: its worker stopped without an answer.`));
      });
    });
  } finally {
    release();
  }
}
