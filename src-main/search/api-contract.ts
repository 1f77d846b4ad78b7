// The accuracy-budget search's channel of the API contract (types and names only): a job that
// searches a project model's quantizations under a budget, every measured candidate a run.
import type { RunProgress } from '../projects/api-contract';
import type { CandidateKind } from './candidates';
import type { DetectorFix } from '../quantize/detector/apply';
import type { MeasuredCandidate, SearchResult } from './types';

/** Search for the smallest file of a project model that meets a budget on held-out data. */
export interface ProjectSearchParams {
  project: string;
  /** The model (a project model's path: absolute, or relative to the project folder). */
  model: string;
  calibration: { path: string; preprocess?: string; samples?: number };
  /** Held-out data; without it, 20% of the calibration data is held out and judged on. */
  data?: string;
  /** .npy of integer labels for `data` (needed by accuracy-drop budgets). */
  labels?: string;
  budget: string;
  kinds?: CandidateKind[];
  /** 'local' (this computer) or a board's name from the device list. */
  device?: string;
  /** Most layers a mixed candidate may keep float. */
  maxKeepFloat?: number;
  /** A detector's fix, applied to every candidate (split: each group then has its own SQNR). */
  detectorFix?: DetectorFix;
}

/** Progress: the stage, candidates done of planned, an ETA, and each candidate once measured. */
export interface SearchJobProgress extends RunProgress {
  done?: number;
  total?: number;
  etaMs?: number;
  candidate?: MeasuredCandidate;
}

/** The search's result, its candidates with the ids of their runs. */
export interface ProjectSearchResult extends Omit<SearchResult, 'candidates'> {
  candidates: MeasuredCandidate[];
  /** Where the held-out figures come from (a folder or "20% of … held out"). */
  judgedOn: string;
}

export interface SearchJobKinds {
  'project-search': { params: ProjectSearchParams; progress: SearchJobProgress; result: ProjectSearchResult };
}
export const SEARCH_JOB_KINDS = ['project-search'] as const satisfies readonly (keyof SearchJobKinds)[];
