// Runs one task of a task table in a worker thread (the application's job worker entry, which
// serves the table: jobs/serve.ts) and answers with its result or its typed error. Unlike jobs,
// tasks answer one request directly and report no progress. Bounded: at most maxRunning at once
// (more wait in line, up to maxWaiting), and each is stopped after timeoutMs. Generic: the
// application gives the table's type and the worker entry (app/tasks.ts).
import { randomUUID } from 'node:crypto';
import { EdgeQuantError, OperationError, type ErrorCode } from '../errors';
import { spawnJobWorker, type WorkerEntry } from './entry';
import type { FromWorker, JobWorkerData } from './protocol';

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

/** A task table: each task takes one request and answers it (both structured-cloneable). */
export type TaskTable<T> = { [K in keyof T]: (request: never) => Promise<unknown> };

export interface OffThreadOptions {
  entry: WorkerEntry;
  maxRunning?: number;
  maxWaiting?: number;
  timeoutMs?: number;
}

export class OffThreadRunner<T extends TaskTable<T>> {
  readonly #entry: WorkerEntry;
  readonly #maxRunning: number;
  readonly #maxWaiting: number;
  readonly #timeoutMs: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor({ entry, maxRunning = 4, maxWaiting = 64, timeoutMs = 120_000 }: OffThreadOptions) {
    this.#entry = entry;
    this.#maxRunning = maxRunning;
    this.#maxWaiting = maxWaiting;
    this.#timeoutMs = timeoutMs;
  }

  async run<K extends keyof T & string>(task: K, request: Parameters<T[K]>[0]): Promise<Awaited<ReturnType<T[K]>>> {
    const release = await this.#slot();
    try {
      return (await this.#inWorker(task, request)) as Awaited<ReturnType<T[K]>>;
    } finally {
      release();
    }
  }

  async #slot(): Promise<() => void> {
    if (this.#running >= this.#maxRunning) {
      if (this.#waiting.length >= this.#maxWaiting) {
        throw new OperationError(`${this.#maxRunning + this.#maxWaiting} heavy requests are already in progress; try again when they finish.`);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#running++;
    return () => {
      this.#running--;
      this.#waiting.shift()?.();
    };
  }

  #inWorker(task: string, request: unknown): Promise<unknown> {
    const data: JobWorkerData = { jobId: `task-${randomUUID()}`, kind: task, task: true, params: request };
    const worker = spawnJobWorker(this.#entry, data);
    return new Promise((resolve, reject) => {
      // The first answer settles the promise; a later exit or error changes nothing.
      const timer = setTimeout(() => {
        reject(new OperationError(`${task} took longer than ${Math.round(this.#timeoutMs / 1000)} s and was stopped; pick a smaller input.`));
        void worker.terminate();
      }, this.#timeoutMs);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'result') {
          resolve(message.result);
          void worker.terminate();
        } else if (message.type === 'error') reject(new TaskError(message.error.code, message.error.message));
      });
      worker.on('error', (error) => reject(new TaskError('INTERNAL', `${task}: its worker crashed (${error.message}).`)));
      worker.on('exit', () => {
        clearTimeout(timer);
        reject(new TaskError('INTERNAL', `${task}: its worker stopped without an answer.`));
      });
    });
  }
}
