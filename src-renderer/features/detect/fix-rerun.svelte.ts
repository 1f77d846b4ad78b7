// "Quantize with this fix" from a detector run's page: the run's own request with the detector
// fix set, as a new run of the project; once it succeeds, History compares the two.
import type { ConvertRequest } from '../../../src-main/convert/types';
import type { RunRecord } from '../../../src-main/projects/types';
import type { DetectorFix } from '../../../src-main/quantize/detector/apply';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';
import { compareHref, rerunParams } from '../runs/rerun';

/** The run's request with `fix` applied (nothing else changes: same data, calibration, I/O types). */
export function withDetectorFix(request: ConvertRequest, fix: DetectorFix): ConvertRequest {
  return { ...request, detectorFix: fix };
}

export class FixRerunState {
  job = new JobState<RunRecord>();
  /** The fix being applied (for the status line). */
  fix = $state<DetectorFix | null>(null);

  async start(base: RunRecord, fix: DetectorFix): Promise<void> {
    const dir = currentProject.dir;
    const request = base.config.request;
    if (!dir || !request) return;
    this.fix = fix;
    await this.job.start({ kind: 'project-convert', params: rerunParams(dir, base, withDetectorFix(request, fix), `detector fix ${fix}`) }, (run) => {
      void currentProject.refresh().then(() => {
        location.hash = compareHref(run.id, base.id);
      });
    });
  }
}
