// A new run made from an existing one with its request changed (keep float on the Debug page, a
// detector fix on the run page): the base run's validation data and task settings carry over, no
// local benchmark, and History then compares the new run with its base.
import type { ConvertRequest } from '../../../src-main/convert/types';
import type { ProjectConvertParams } from '../../../src-main/projects/api-contract';
import type { RunRecord } from '../../../src-main/projects/types';

/** The job parameters for `request` as a new run of `project`, judged as `base` was. */
export function rerunParams(project: string, base: RunRecord, request: ConvertRequest, change: string): ProjectConvertParams {
  const c = base.config;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const evaluateData = text(c['evaluateData']);
  const evaluateLabels = text(c['evaluateLabels']);
  const task = c['task'] as ProjectConvertParams['task'];
  const detect = c['detect'] as ProjectConvertParams['detect'];
  return {
    project,
    request,
    label: `${base.label ?? request.quantize.mode} + ${change}`.slice(0, 200),
    ...(evaluateData ? { evaluateData } : {}),
    ...(evaluateLabels ? { evaluateLabels } : {}),
    ...(task ? { task } : {}),
    ...(detect ? { detect } : {}),
    benchRuns: 0,
  };
}

/** History comparing the new run with its base. */
export const compareHref = (runId: string, baseId: string) => `#/history?compare=${encodeURIComponent(runId)},${encodeURIComponent(baseId)}`;
