// Messages between the job manager (main thread) and a job worker thread.
import type { ApiErrorBody, JobKind } from '../api/contract';
import type { OffThreadTask } from './tasks';

export interface JobWorkerData {
  jobId: string;
  /** A job kind (kinds.ts), or a one-shot task answering a request (tasks.ts). */
  kind: JobKind | OffThreadTask;
  params: unknown;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: unknown }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: ApiErrorBody };
