// Builds the main-side services once per host: event hub, job manager, handlers, dispatch.
import { createDispatch, type Dispatch } from './dispatch';
import { EventHub } from './events';
import { createHandlers, type Services } from './handlers';
import { JobManager, type JobManagerOptions } from '../jobs/manager';
import type { PathScope } from './path-scope';

export interface ApiServices {
  dispatch: Dispatch;
  events: EventHub;
  jobs: JobManager;
  dispose(): Promise<void>;
}

export interface ApiServicesOptions extends Omit<Services, 'jobs'> {
  jobs?: Omit<JobManagerOptions, 'events'>;
  onInternalError?: (error: unknown) => void;
  /** Limits the paths requests may touch (the browser host sets it). */
  scope?: PathScope;
}

export function createApiServices({ jobs: jobOptions, onInternalError, scope, ...rest }: ApiServicesOptions): ApiServices {
  const events = new EventHub();
  const jobs = new JobManager({ events, ...jobOptions });
  const dispatch = createDispatch(createHandlers({ ...rest, jobs }), onInternalError, scope);
  return { dispatch, events, jobs, dispose: () => jobs.dispose() };
}
