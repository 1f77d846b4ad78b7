// Runs jobs in worker_threads: one thread per job, progress and completion as contract events,
// cooperative cancel (abort signal) with a hard stop (terminate) when the job ignores it.
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { InputError } from '../errors';
import { jobTitle } from './titles';
import type { ApiErrorBody, ApiEvents, JobInfo, JobKind, JobStartRequest } from '../api/contract';
import type { EventHub } from '../api/events';
import { defaultWorkerEntry, spawnJobWorker, type WorkerEntry } from './entry';
import type { FromWorker, JobWorkerData, ToWorker } from './protocol';
import { finishAbandonedRun, runRefOf } from './run-guard';
import type { RunRef } from '../projects/runs';

export class UnknownJobError extends InputError {
  override name = 'UnknownJobError';
}

export interface JobManagerOptions {
  events: EventHub;
  entry?: WorkerEntry;
  /** How long a cancelled job may take to stop on its own before its thread is terminated. */
  cancelGraceMs?: number;
  /** Finished jobs kept for jobs.list. */
  keepFinished?: number;
}

type Done = ApiEvents['job.done'];

interface RunningJob {
  info: JobInfo;
  params: unknown;
  worker: Worker;
  /** The worker's threadId (the Worker object reports -1 once it has exited). */
  thread: number;
  done: Promise<Done>;
  cancelTimer?: NodeJS.Timeout;
  /** The project run the job is writing, once its progress named it. */
  run?: RunRef;
}

export class JobManager {
  readonly #events: EventHub;
  readonly #entry: WorkerEntry;
  readonly #grace: number;
  readonly #keep: number;
  readonly #jobs = new Map<string, RunningJob>();

  constructor({ events, entry = defaultWorkerEntry(), cancelGraceMs = 2000, keepFinished = 50 }: JobManagerOptions) {
    this.#events = events;
    this.#entry = entry;
    this.#grace = cancelGraceMs;
    this.#keep = keepFinished;
  }

  start(request: JobStartRequest): string {
    const id = randomUUID();
    const info: JobInfo = { id, kind: request.kind, title: jobTitle(request), status: 'running', startedAt: new Date().toISOString() };
    const workerData: JobWorkerData = { jobId: id, kind: request.kind, params: request.params };
    const worker = spawnJobWorker(this.#entry, workerData);
    const job: RunningJob = { info, params: request.params, worker, thread: worker.threadId, done: Promise.resolve(null as never) };
    job.done = this.#follow(job, request.kind);
    this.#jobs.set(id, job);
    this.#trim();
    return id;
  }

  /** Asks a running job to stop; returns false when it is not running. */
  cancel(id: string): boolean {
    const job = this.#get(id);
    if (job.info.status !== 'running' || job.cancelTimer) return false;
    job.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    job.cancelTimer = setTimeout(() => void job.worker.terminate(), this.#grace);
    return true;
  }

  list(): JobInfo[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Resolves with the job's final event (also emitted as 'job.done'). */
  wait(id: string): Promise<Done> {
    return this.#get(id).done;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#jobs.values()].map((j) => j.worker.terminate()));
  }

  #get(id: string): RunningJob {
    const job = this.#jobs.get(id);
    if (!job) throw new UnknownJobError(`No job with id '${id}'; it may have finished long ago (jobs.list shows the recent ones).`);
    return job;
  }

  #follow(job: RunningJob, kind: JobKind): Promise<Done> {
    const { worker, info } = job;
    return new Promise<Done>((resolve) => {
      let final: { result?: unknown; error?: ApiErrorBody } | undefined;
      // True once the worker itself sent its result or error: it finished its run, if any.
      let answered = false;
      let crash: string | undefined;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'progress') {
          job.run ??= runRefOf(job.params, message.progress);
          info.progress = message.progress;
          this.#events.emit('job.progress', { jobId: info.id, kind, title: info.title, progress: message.progress });
        } else if (message.type === 'result') {
          answered = true;
          final = { result: message.result };
          void worker.terminate();
        } else {
          answered = true;
          final = { error: message.error };
          void worker.terminate();
        }
      });
      worker.on('error', (error) => {
        crash = error.message;
        final ??= { error: { code: 'INTERNAL', message: `Job worker crashed: ${error.message}` } };
      });
      worker.on('exit', (exitCode) => {
        clearTimeout(job.cancelTimer);
        const cancelled = job.cancelTimer !== undefined && (final === undefined || final.error?.code === 'CANCELLED');
        // The worker died mid-run: finish its project run now, before anyone hears job.done.
        const note =
          !answered && job.run
            ? finishAbandonedRun(job.run, crash !== undefined ? `it crashed (${crash})` : `it was terminated (exit code ${exitCode})`, cancelled, job.thread)
            : undefined;
        let done: Done;
        if (cancelled) {
          done = { jobId: info.id, kind, title: info.title, status: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled by the user.' } };
        } else if (final && 'result' in final && !final.error) {
          done = { jobId: info.id, kind, title: info.title, status: 'succeeded', result: final.result };
        } else {
          const error = final?.error ?? { code: 'INTERNAL' as const, message: 'The job worker stopped without a result.' };
          done = { jobId: info.id, kind, title: info.title, status: error.code === 'CANCELLED' ? 'cancelled' : 'failed', error };
        }
        if (note && done.error) done.error = { ...done.error, message: `${done.error.message}; ${note}` };
        info.status = done.status;
        info.endedAt = new Date().toISOString();
        if (done.error) info.error = done.error;
        this.#events.emit('job.done', done);
        resolve(done);
      });
    });
  }

  /** Forgets the oldest finished jobs beyond the keep limit. */
  #trim(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.info.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - this.#keep))) this.#jobs.delete(job.info.id);
  }
}
