// The accuracy-budget search's request and result (plain data: the CLI prints it, a project keeps it).
import type { DetectorFix } from '../quantize/detector/apply';
import type { CalibrationSpec } from '../quantize/qtypes';
import type { ClauseVerdict, MeasuredOutput } from './budget';
import type { CandidateKind } from './candidates';

export interface SearchRequest {
  model: string;
  companions?: string[];
  inputShape?: number[];
  unrollRnn?: boolean;
  /** Where the recommended file is written. */
  output: string;
  calibration: CalibrationSpec;
  /** Held-out data: every candidate is judged here, never on the calibration samples. */
  data: string;
  /**
   * Judge on the share of `data` that calibration held out (`calibration.holdOut` of the same
   * folder): lets a single data set serve both, never judging on a calibration sample.
   */
  dataHoldOut?: { fraction: number; seed: number };
  preprocess?: string;
  labels?: string;
  /** Held-out samples used (default: all). */
  samples?: number;
  budget: string;
  kinds?: CandidateKind[];
  /** Where latency is measured: 'local' (this computer, LiteRT.js) or a board's name. */
  device?: string;
  /** Most layers a mixed candidate may keep float (default: all of them). */
  maxKeepFloat?: number;
  /** A project folder: every measured candidate is recorded as a run there. */
  project?: string;
  /**
   * A detector fix every candidate is converted with (`--detector-fix`): with split, each group
   * of the concatenated output (`X_boxes`, `X_scores`) is also an output the budget can name.
   */
  detectorFix?: DetectorFix;
}

export interface CandidateResult {
  id: string;
  kind: CandidateKind;
  label: string;
  bytes: number;
  /** bytes / float .tflite bytes */
  sizeRatio: number;
  latencyMs: number;
  latencyWhere: string;
  outputs: MeasuredOutput[];
  verdicts: ClauseVerdict[];
  meetsBudget: boolean;
  /** The first clause's figure, higher is better (used for the Pareto set). */
  quality: number;
  /** Float layers of a mixed candidate. */
  keepFloat?: string[];
  /** The candidate's file while the search runs (temporary). */
  path?: string;
  elapsedMs: number;
}

export interface SearchResult {
  budget: string;
  floatBytes: number;
  candidates: CandidateResult[];
  pareto: string[];
  recommended?: string;
  /** One or two sentences: what meets the budget, and what int8 needs. */
  verdict: string;
  cancelled: boolean;
  output?: string;
  timings: Record<string, number>;
  warnings: string[];
}

/** A measured candidate, as soon as it is measured (and recorded: `runId` in a project). */
export type MeasuredCandidate = Omit<CandidateResult, 'path'> & { runId?: string };

export interface SearchProgress {
  stage: string;
  done: number;
  total: number;
  etaMs?: number;
}
