// The application's job manager: the generic jobs/ manager with the application's kind map,
// its worker entry (app/job-worker.ts) and the guard that finishes a project run whose worker
// died, reporting to the API's event hub; jobs are titled in the app's words (job-titles.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JobKinds } from '../api/contract';
import type { EventHub } from '../api/events';
import type { WorkerEntry } from '../jobs/entry';
import { JobManager, type JobManagerOptions } from '../jobs/manager';
import { jobTitle } from './job-titles';
import { projectRunGuard } from './run-guard';

export type AppJobManager = JobManager<JobKinds>;

/** The built out/main/job-worker.js next to the built main bundles, or job-worker.ts from source. */
export function jobWorkerEntry(base: string = import.meta.url): WorkerEntry {
  if (base.endsWith('.ts')) return { file: fileURLToPath(new URL('./job-worker.ts', base)), fromSource: true };
  // Built: this code sits in out/main/<entry>.js or out/main/chunks/<chunk>.js.
  for (const relative of ['./job-worker.js', '../job-worker.js']) {
    const file = fileURLToPath(new URL(relative, base));
    if (existsSync(file)) return { file, fromSource: false };
  }
  throw new Error(`The built job worker (job-worker.js) is missing next to ${fileURLToPath(base)}; run 'npm run build'.`);
}

export interface AppJobOptions extends Partial<Omit<JobManagerOptions<JobKinds>, 'events'>> {
  events: EventHub;
}

export function createJobManager({ events, entry = jobWorkerEntry(), guard = projectRunGuard, ...rest }: AppJobOptions): AppJobManager {
  return new JobManager<JobKinds>({
    events: { progress: (event) => events.emit('job.progress', event), done: (event) => events.emit('job.done', event) },
    entry,
    guard,
    title: jobTitle,
    ...rest,
  });
}
