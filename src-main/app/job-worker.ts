// The job worker thread's entry (built as out/main/job-worker.js): serves the application's
// job-kind table and its table of heavy request tasks (app/tasks.ts).
import { serveJob } from '../jobs/serve';
import { jobKinds } from './job-kinds';
import { offThreadTasks } from './tasks';

serveJob(jobKinds, offThreadTasks);
