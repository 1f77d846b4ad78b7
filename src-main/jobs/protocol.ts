// Messages between the job manager (main thread) and a job worker thread.
import type { ApiErrorBody, JobKind } from '../api/contract';

export interface JobWorkerData {
  jobId: string;
  kind: JobKind;
  params: unknown;
}

export type ToWorker = { type: 'cancel' };

export type FromWorker =
  | { type: 'progress'; progress: unknown }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: ApiErrorBody };
