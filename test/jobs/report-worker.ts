// A job worker whose one job waits for the cancel, then reports what it had finished meanwhile
// (as a search reports a candidate whose run it has just written) and then tries an ordinary
// progress report. Loaded by report-after-cancel.test.ts as the job entry.
import { serveJob } from '../../src-main/jobs/serve';
import type { JobRunners } from '../../src-main/jobs/protocol';

interface Kinds {
  inspect: { params: unknown; progress: { stage: string }; result: null };
}

const runners: JobRunners<Kinds> = {
  async inspect(_params, { progress, report, signal }) {
    progress({ stage: 'waiting' });
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the finished work lands after the cancel
    report({ stage: 'finished before the cancel took effect' });
    progress({ stage: 'never shown' });
    return null;
  },
};
serveJob(runners);
