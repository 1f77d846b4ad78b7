// The job worker thread's entry (built as out/main/job-worker.js): serves the application's
// job-kind table.
import { serveJob } from '../jobs/serve';
import { jobKinds } from './job-kinds';

serveJob(jobKinds);
