// Builds the main-side services once per host: event hub, job manager, handlers, dispatch.
// Heavy requests (app/tasks.ts) run in a worker thread from the job worker entry.
import { createDispatch, type Dispatch } from '../api/dispatch';
import { EventHub } from '../api/events';
import { createHandlers, type Services } from '../api/handlers';
import type { PathScope } from '../api/path-scope';
import { createJobManager, jobWorkerEntry, type AppJobManager, type AppJobOptions } from './jobs';
import { offThreadHandlers } from './tasks';

export interface ApiServices {
  dispatch: Dispatch;
  events: EventHub;
  jobs: AppJobManager;
  dispose(): Promise<void>;
}

export interface ApiServicesOptions extends Omit<Services, 'jobs'> {
  jobs?: Omit<AppJobOptions, 'events'>;
  onInternalError?: (error: unknown) => void;
  /** Limits the paths requests may touch (the browser host sets it). */
  scope?: PathScope;
}

export function createApiServices({ jobs: jobOptions, onInternalError, scope, ...rest }: ApiServicesOptions): ApiServices {
  const events = new EventHub();
  const entry = jobOptions?.entry ?? jobWorkerEntry();
  const jobs = createJobManager({ events, ...jobOptions, entry });
  const handlers = { ...createHandlers({ ...rest, jobs }), ...offThreadHandlers(entry) };
  const dispatch = createDispatch(handlers, onInternalError, scope);
  return { dispatch, events, jobs, dispose: () => jobs.dispose() };
}
