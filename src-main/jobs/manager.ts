// Runs jobs in worker_threads: one thread per job, progress and completion as events typed by
// the kind map, cooperative cancel (abort signal) with a hard stop (terminate) when the job
// ignores it. Generic: the application gives the kind map, the worker entry and what to clean
// up when a worker dies mid-job (app/jobs.ts).
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { InputError, OperationError } from '../errors';
import { spawnJobWorker, type WorkerEntry } from './entry';
import type { FromWorker, JobDoneOf, JobErrorBody, JobInfoOf, JobKindMap, JobProgressOf, JobReportOf, JobStartOf, JobStatus, JobWorkerData, ToWorker } from './protocol';

export class UnknownJobError extends InputError {
  override name = 'UnknownJobError';
}

/** Where the manager reports each job's progress and its end. */
export interface JobEventSink<M extends JobKindMap<M>> {
  progress(event: JobProgressOf<M>): void;
  done(event: JobDoneOf<M>): void;
}

/** Work a job had under way when its thread died without answering, and how to finish it. */
export interface AbandonedWork {
  /** Finishes the work with the reason; returns a note for the job's error when it could not. */
  finish(reason: string, cancelled: boolean, thread: number): string | undefined;
}

/** Recognises, from a job's params and one of its progress reports, work it has under way. */
export type AbandonGuard<M extends JobKindMap<M>> = (report: JobReportOf<M>) => AbandonedWork | undefined;

export interface JobManagerOptions<M extends JobKindMap<M>> {
  events: JobEventSink<M>;
  entry: WorkerEntry;
  guard?: AbandonGuard<M>;
  /** How long a cancelled job may take to stop on its own before its thread is terminated. */
  cancelGraceMs?: number;
  /** Finished jobs kept for jobs.list. */
  keepFinished?: number;
  /** Jobs running at once; one more is refused (each is a thread with its own heap). */
  maxRunning?: number;
  /** What a job does, in the application's words (default: its kind). */
  title?: (request: JobStartOf<M>) => string;
}

export class TooManyJobsError extends OperationError {
  override name = 'TooManyJobsError';
}

interface RunningJob<M extends JobKindMap<M>> {
  info: JobInfoOf<M>;
  request: JobStartOf<M>;
  worker: Worker;
  /** The worker's threadId (the Worker object reports -1 once it has exited). */
  thread: number;
  done: Promise<JobDoneOf<M>>;
  cancelTimer?: NodeJS.Timeout;
  /** Work the job has under way (e.g. the project run it is writing), once its progress named it. */
  work?: AbandonedWork;
}

export class JobManager<M extends JobKindMap<M>> {
  readonly #events: JobEventSink<M>;
  readonly #entry: WorkerEntry;
  readonly #guard: AbandonGuard<M> | undefined;
  readonly #grace: number;
  readonly #keep: number;
  readonly #maxRunning: number;
  readonly #title: (request: JobStartOf<M>) => string;
  readonly #jobs = new Map<string, RunningJob<M>>();

  constructor({ events, entry, guard, cancelGraceMs = 2000, keepFinished = 50, maxRunning = 16, title = (request) => request.kind }: JobManagerOptions<M>) {
    this.#maxRunning = maxRunning;
    this.#title = title;
    this.#events = events;
    this.#entry = entry;
    this.#guard = guard;
    this.#grace = cancelGraceMs;
    this.#keep = keepFinished;
  }

  start(request: JobStartOf<M>): string {
    const running = [...this.#jobs.values()].filter((j) => j.info.status === 'running').length;
    if (running >= this.#maxRunning) throw new TooManyJobsError(`${running} jobs are running already; wait for one to finish or cancel one.`);
    const id = randomUUID();
    const info = { id, kind: request.kind, title: this.#title(request), status: 'running', startedAt: new Date().toISOString() } as JobInfoOf<M>;
    const workerData: JobWorkerData = { jobId: id, kind: request.kind, params: request.params };
    const worker = spawnJobWorker(this.#entry, workerData);
    const job: RunningJob<M> = { info, request, worker, thread: worker.threadId, done: Promise.resolve(null as never) };
    job.done = this.#follow(job);
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

  list(): JobInfoOf<M>[] {
    return [...this.#jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Resolves with the job's final event (also reported to the event sink). */
  wait(id: string): Promise<JobDoneOf<M>> {
    return this.#get(id).done;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.#jobs.values()].map((j) => j.worker.terminate()));
  }

  #get(id: string): RunningJob<M> {
    const job = this.#jobs.get(id);
    if (!job) throw new UnknownJobError(`No job with id '${id}'; it may have finished long ago (jobs.list shows the recent ones).`);
    return job;
  }

  #follow(job: RunningJob<M>): Promise<JobDoneOf<M>> {
    const { worker, info } = job;
    const { id: jobId, kind } = info;
    return new Promise((resolve) => {
      let final: { result?: unknown; error?: JobErrorBody } | undefined;
      // True once the worker itself sent its result or error: it finished its work, if any.
      let answered = false;
      let crash: string | undefined;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'progress') {
          // The worker's report, typed by the kind it was started as (the runner's JobContext typed it).
          job.work ??= this.#guard?.({ kind, params: job.request.params, progress: message.progress } as JobReportOf<M>);
          info.progress = message.progress;
          this.#events.progress({ jobId, kind, title: info.title, progress: message.progress } as JobProgressOf<M>);
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
        // The worker died mid-job: finish its work now, before anyone hears job.done.
        const note = !answered && job.work ? job.work.finish(crash !== undefined ? `it crashed (${crash})` : `it was terminated (exit code ${exitCode})`, cancelled, job.thread) : undefined;
        let status: Exclude<JobStatus, 'running'>;
        let error: JobErrorBody | undefined;
        let result: unknown;
        if (cancelled) {
          status = 'cancelled';
          error = { code: 'CANCELLED', message: 'Cancelled by the user.' };
        } else if (final && 'result' in final && !final.error) {
          status = 'succeeded';
          result = final.result;
        } else {
          error = final?.error ?? { code: 'INTERNAL', message: 'The job worker stopped without a result.' };
          status = error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        }
        if (note && error) error = { ...error, message: `${error.message}; ${note}` };
        const done = { jobId, kind, title: info.title, status, ...(status === 'succeeded' ? { result } : {}), ...(error ? { error } : {}) } as JobDoneOf<M>;
        info.status = status;
        info.endedAt = new Date().toISOString();
        if (error) info.error = error;
        this.#events.done(done);
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
