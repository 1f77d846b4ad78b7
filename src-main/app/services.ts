// Builds the main-side services once per host: event hub, job manager, handlers, dispatch.
import { createDispatch, type Dispatch } from '../api/dispatch';
import { EventHub } from '../api/events';
import { createHandlers, type Services } from '../api/handlers';
import { createJobManager, type AppJobManager, type AppJobOptions } from './jobs';

export interface ApiServices {
  dispatch: Dispatch;
  events: EventHub;
  jobs: AppJobManager;
  dispose(): Promise<void>;
}

export interface ApiServicesOptions extends Omit<Services, 'jobs'> {
  jobs?: Omit<AppJobOptions, 'events'>;
  onInternalError?: (error: unknown) => void;
}

export function createApiServices({ jobs: jobOptions, onInternalError, ...rest }: ApiServicesOptions): ApiServices {
  const events = new EventHub();
  const jobs = createJobManager({ events, ...jobOptions });
  const dispatch = createDispatch(createHandlers({ ...rest, jobs }), onInternalError);
  return { dispatch, events, jobs, dispose: () => jobs.dispose() };
}
