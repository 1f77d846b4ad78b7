// The job vocabulary shared by the manager (main thread) and its worker threads, generic over a
// kind map (kind → params / progress / result), so jobs/ knows nothing of what the kinds do.
// The application's map is the API contract's JobKinds (api/contract.ts); its events are typed
// by kind from the same map.
import type { ErrorCode } from '../errors';

export interface JobKindShape {
  params: unknown;
  progress: unknown;
  result: unknown;
}
/** A kind map: each key a job kind with its shape (M extends JobKindMap<M> admits interfaces). */
export type JobKindMap<M> = { [K in keyof M]: JobKindShape };

/** The error a job ends with; the API's ApiErrorBody accepts every one of these. */
export interface JobErrorBody {
  code: ErrorCode;
  message: string;
}

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A request to start a job, one union member per kind. */
export type JobStartOf<M extends JobKindMap<M>> = { [K in keyof M & string]: { kind: K; params: M[K]['params'] } }[keyof M & string];

/** A progress report, typed by the job's kind. */
export type JobProgressOf<M extends JobKindMap<M>> = { [K in keyof M & string]: { jobId: string; kind: K; title: string; progress: M[K]['progress'] } }[keyof M & string];

/** A job's final event, its result typed by the job's kind. */
export type JobDoneOf<M extends JobKindMap<M>> = {
  [K in keyof M & string]: { jobId: string; kind: K; title: string; status: Exclude<JobStatus, 'running'>; result?: M[K]['result']; error?: JobErrorBody };
}[keyof M & string];

/** One progress report with its job's kind and params, typed by the kind (what a guard reads). */
export type JobReportOf<M extends JobKindMap<M>> = { [K in keyof M & string]: { kind: K; params: M[K]['params']; progress: M[K]['progress'] } }[keyof M & string];

/** What jobs.list reports about one job; `title` says what it does, for people (the app's words). */
export type JobInfoOf<M extends JobKindMap<M>> = {
  [K in keyof M & string]: { id: string; kind: K; title: string; status: JobStatus; startedAt: string; endedAt?: string; progress?: M[K]['progress']; error?: JobErrorBody };
}[keyof M & string];

/** Context a job runner gets inside its worker thread. */
export interface JobContext<P> {
  /** Reports progress to the UI (structured-cloneable data); throws CancelledError once cancelled. */
  progress(progress: P): void;
  /** Reports something that has already happened (a run written to the project) and must reach
   *  the UI even when the user cancelled meanwhile: never a cancellation point. */
  report(progress: P): void;
  /** Aborted when the user cancels; long loops should check it and throw CancelledError. */
  signal: AbortSignal;
}

export type JobRunner<S extends JobKindShape> = (params: S['params'], context: JobContext<S['progress']>) => Promise<S['result']>;

/** One runner per kind: the table a worker thread serves. */
export type JobRunners<M extends JobKindMap<M>> = { [K in keyof M]: JobRunner<M[K]> };

export interface JobWorkerData {
  jobId: string;
  kind: string;
  /** A one-shot task answering a request (off-thread.ts), not a job: looked up in the task table. */
  task?: boolean;
  params: unknown;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: unknown }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: JobErrorBody };
