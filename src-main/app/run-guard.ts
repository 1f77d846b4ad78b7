// A job that records a project run (project-convert) names the run in its progress ({ runId })
// and the project in its params ({ project }). When its worker thread dies without answering
// (an uncaught error, a terminate after an ignored cancel, the app disposing the jobs), the run
// would stay 'running' until the next app start, because its owner (this process) is alive.
// The job manager then finishes it here, with the reason.
import { oneLine } from '../errors';
import type { JobKinds } from '../api/contract';
import type { AbandonGuard } from '../jobs/manager';
import type { JobReportOf } from '../jobs/protocol';
import { releaseThreadLocks } from '../projects/lock';
import { abandonRun, runLockPaths, type RunRef } from '../projects/runs';

/** The project run a job is writing, from its params and one of its progress reports (kinds with a project and a run id). */
export function runRefOf({ params, progress }: JobReportOf<JobKinds>): RunRef | undefined {
  const project = 'project' in params ? params.project : undefined;
  const runId = 'runId' in progress ? progress.runId : undefined;
  return project !== undefined && runId !== undefined ? { dir: project, id: runId } : undefined;
}

/**
 * Marks the run failed (cancelled when the user cancelled) if it is still running, first
 * releasing the project locks the dead worker thread `thread` may have held. Returns a note for
 * the job's error when the run could not be updated.
 */
export function finishAbandonedRun(ref: RunRef, reason: string, cancelled: boolean, thread?: number): string | undefined {
  try {
    // A thread stopped inside a locked section left its locks behind; they carry our pid.
    if (thread !== undefined) releaseThreadLocks(runLockPaths(ref), thread);
    abandonRun(
      ref,
      cancelled
        ? { status: 'cancelled', error: { code: 'CANCELLED', message: `Cancelled by the user; ${reason}.` } }
        : { status: 'failed', error: { code: 'WORKER_EXITED', message: `The job's worker thread stopped before finishing the run: ${reason}.` } },
    );
    return undefined;
  } catch (error) {
    return `run ${ref.id} could not be marked finished (${oneLine(error)}); it will be on the next start`;
  }
}

export const projectRunGuard: AbandonGuard<JobKinds> = (report) => {
  const ref = runRefOf(report);
  return ref && { finish: (reason, cancelled, thread) => finishAbandonedRun(ref, reason, cancelled, thread) };
};
