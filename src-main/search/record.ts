// Each measured candidate becomes a run of the project (its file, recipe settings and figures),
// so the Pareto set stays in the history next to the runs made by hand.
import { basename } from 'node:path';
import { recordRun } from '../projects/record-run';
import type { RunMetrics } from '../projects/types';
import type { CandidateSpec } from './candidates';
import type { CandidateResult, SearchRequest } from './types';

export function candidateMetrics(candidate: CandidateResult, floatBytes: number): RunMetrics {
  const worst = candidate.outputs.reduce((m, o) => Math.min(m, o.sqnrDb), Infinity);
  const first = candidate.outputs[0];
  return {
    sizeBytes: candidate.bytes,
    floatBytes,
    sizeRatio: candidate.sizeRatio,
    sqnrDb: Number.isFinite(worst) ? worst : null,
    agreement: first?.top1Agreement ?? null,
    accuracy: first?.quantAccuracy ?? null,
    floatAccuracy: first?.floatAccuracy ?? null,
    latencyMs: Number.isFinite(candidate.latencyMs) ? candidate.latencyMs : null,
    meetsBudget: candidate.meetsBudget ? 1 : 0,
    keptFloat: candidate.keepFloat?.length ?? 0,
  };
}

/** Records the candidate as a run; returns the run's id. */
export async function recordCandidate(project: string, request: SearchRequest, spec: CandidateSpec, candidate: CandidateResult, floatBytes: number): Promise<string> {
  const { run } = await recordRun(
    project,
    {
      kind: 'convert',
      request: { model: request.model, output: `${spec.id}.tflite`, quantize: spec.quantize, ...(request.companions ? { companions: request.companions } : {}), ...(request.inputShape ? { inputShape: request.inputShape } : {}), ...(request.detectorFix ? { detectorFix: request.detectorFix } : {}) },
      search: { budget: request.budget, candidate: spec.id, meetsBudget: candidate.meetsBudget, latencyWhere: candidate.latencyWhere, data: request.data },
    },
    { label: `search (${request.budget}): ${spec.label}`, model: request.model, calibration: request.calibration.path },
    async (run) => {
      if (candidate.path) await run.addArtifact(candidate.path, 'tflite', `${spec.id}.tflite`);
      run.setMetrics(candidateMetrics(candidate, floatBytes));
      run.setTimings({ totalMs: candidate.elapsedMs });
      await run.writeReport('search-candidate.json', { ...candidate, path: candidate.path ? basename(candidate.path) : undefined });
    },
  );
  return run.id;
}
