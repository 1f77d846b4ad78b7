// "Quantize again with this fix" from a detector run's page: the run's own request with the
// detector fix set, as a new run of the project; once it succeeds, History compares the two.
import type { ConvertRequest } from '../../../src-main/convert/types';
import type { ProjectConvertParams } from '../../../src-main/projects/api-contract';
import type { RunRecord } from '../../../src-main/projects/types';
import type { DetectorFix } from '../../../src-main/quantize/detector/apply';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';

/** The run's request with `fix` applied (nothing else changes: same data, calibration, I/O types). */
export function withDetectorFix(request: ConvertRequest, fix: DetectorFix): ConvertRequest {
  return { ...request, detectorFix: fix };
}

/** The settings of the base run that are not in its request (validation data, task, detector settings). */
function runSettings(base: RunRecord): Omit<ProjectConvertParams, 'project' | 'request'> {
  const c = base.config;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const evaluateData = text(c['evaluateData']);
  const evaluateLabels = text(c['evaluateLabels']);
  const task = c['task'] as ProjectConvertParams['task'];
  const detect = c['detect'] as ProjectConvertParams['detect'];
  return { ...(evaluateData ? { evaluateData } : {}), ...(evaluateLabels ? { evaluateLabels } : {}), ...(task ? { task } : {}), ...(detect ? { detect } : {}) };
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
    await this.job.start(
      {
        kind: 'project-convert',
        params: {
          project: dir,
          request: withDetectorFix(request, fix),
          label: `${base.label ?? request.quantize.mode} + detector fix ${fix}`.slice(0, 200),
          ...runSettings(base),
          benchRuns: 0,
        },
      },
      (run) => {
        void currentProject.refresh().then(() => {
          location.hash = `#/history?compare=${encodeURIComponent(run.id)},${encodeURIComponent(base.id)}`;
        });
      },
    );
  }
}
