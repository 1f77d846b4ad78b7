// The job-kind table: what each kind of job runs inside its worker thread. Engine modules
// are imported lazily so a worker loads only what its kind needs.
//
// To add a kind: 1) its params/progress/result types in api/contract.ts (JobKinds, JOB_KINDS),
// 2) its params schema in api/schemas.ts (jobParamSchemas; the jobs.start union follows from it),
// 3) one entry below calling the engine function.
import type { JobKind, JobKinds } from '../api/contract';
import { projectJobRunners } from '../projects/jobs';

export interface JobContext<K extends JobKind> {
  /** Reports progress to the UI (structured-cloneable data); throws CancelledError once cancelled. */
  progress(progress: JobKinds[K]['progress']): void;
  /** Aborted when the user cancels; long loops should check it and throw CancelledError. */
  signal: AbortSignal;
}

export type JobRunner<K extends JobKind> = (params: JobKinds[K]['params'], context: JobContext<K>) => Promise<JobKinds[K]['result']>;

export const jobKinds: { [K in JobKind]: JobRunner<K> } = {
  async inspect(params, { progress }) {
    progress({ stage: 'open' });
    const { openModel } = await import('../formats/registry');
    const model = await openModel({ path: params.path, companions: params.companions }, { collectUnsupported: true });
    progress({ stage: 'summarize' });
    const { summarizeModel } = await import('../api/summary');
    return summarizeModel(params.path, model, params.companions);
  },
  async convert(params, { progress, signal }) {
    const { convertModel } = await import('../convert/pipeline');
    // Only the plain result crosses back; the in-memory graph and pass report stay here.
    const { model: _model, passes: _passes, ...result } = await convertModel(params, { onProgress: progress, signal });
    return result;
  },
  ...projectJobRunners,
};
