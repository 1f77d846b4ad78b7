// Starting a job from the UI and following it: progress callbacks, a promise of the final
// event, and cancel. Subscribes before starting, so progress that arrives before the
// jobs.start reply (fast jobs) is not lost.
import type { ApiEvents, JobKind, JobKinds } from '../../src-main/api/contract';
import { api as defaultApi, type Api } from './api';

export interface JobHandle<K extends JobKind> {
  jobId: string;
  /** Resolves with the final event: status 'succeeded' (result), 'failed' or 'cancelled' (error). */
  done: Promise<ApiEvents['job.done'] & { result?: JobKinds[K]['result'] }>;
  cancel(): Promise<boolean>;
}

export async function startJob<K extends JobKind>(
  kind: K,
  params: JobKinds[K]['params'],
  onProgress: (progress: JobKinds[K]['progress']) => void = () => undefined,
  api: Api = defaultApi,
): Promise<JobHandle<K>> {
  const early: { event: keyof ApiEvents; payload: ApiEvents[keyof ApiEvents] }[] = [];
  let jobId: string | null = null;
  let finish: (done: ApiEvents['job.done']) => void = () => undefined;
  const done = new Promise<ApiEvents['job.done']>((resolve) => (finish = resolve));

  const handle = (event: keyof ApiEvents, payload: ApiEvents[keyof ApiEvents]) => {
    if (jobId === null) return void early.push({ event, payload });
    if (payload.jobId !== jobId) return;
    if (event === 'job.progress') onProgress((payload as ApiEvents['job.progress']).progress as JobKinds[K]['progress']);
    else finish(payload as ApiEvents['job.done']);
  };
  const offProgress = api.on('job.progress', (p) => handle('job.progress', p));
  const offDone = api.on('job.done', (p) => handle('job.done', p));
  void done.then(() => {
    offProgress();
    offDone();
  });

  try {
    ({ jobId } = await api.jobs.start({ kind, params } as Parameters<Api['jobs']['start']>[0]));
  } catch (error) {
    offProgress();
    offDone();
    throw error;
  }
  for (const { event, payload } of early.splice(0)) handle(event, payload);
  const id = jobId;
  return {
    jobId: id,
    done: done as JobHandle<K>['done'],
    cancel: async () => (await api.jobs.cancel({ jobId: id })).cancelled,
  };
}
