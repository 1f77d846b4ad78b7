// The on-disk vocabulary of a project folder. A project is a folder the user owns:
//   edgequant-project.json        the manifest (models, calibration sets, devices used)
//   runs/<id>/run.json            one experiment: config, hashes, metrics, device results, status
//   runs/<id>/<artifacts>         the .tflite it produced, its evaluation report
//   runs/index.json               a cache of run summaries, rebuilt from run.json files when stale
// Every file is JSON with a stable key order so a project diffs well under version control.
import type { LatencySummary } from '../devices/stats';
import type { ConvertRequest } from '../convert/types';
import type { LayerError } from '../validation/layers';
import type { Verdict } from '../evaluate/verdict';
import type { ClassificationResults } from '../evaluate/classification';
import type { IoFormula } from '../quantize/formulas';
import type { QuantizeReport } from '../quantize/qtypes';
import type { RunDetection } from '../detect/run-record';
import type { DetectorFixReport } from '../quantize/detector/types';

export const MANIFEST_FILE = 'edgequant-project.json';
export const RUNS_DIR = 'runs';
export const RUN_FILE = 'run.json';
export const INDEX_FILE = 'index.json';
export const PROJECT_SCHEMA = 1;

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ModelEntry {
  id: string;
  name: string;
  /** Relative to the project folder when inside it, else absolute. */
  path: string;
  format?: string;
  sha256: string;
  bytes: number;
  addedAt: string;
}

export interface CalibrationSetEntry {
  id: string;
  name: string;
  path: string;
  preprocess?: string;
  samples?: number;
  sha256: string;
  files: number;
  addedAt: string;
}

export interface ProjectManifest {
  schema: number;
  name: string;
  createdAt: string;
  tool: ToolInfo;
  models: ModelEntry[];
  calibrationSets: CalibrationSetEntry[];
  /** Names of the boards runs were deployed to (the boards themselves live in $EDGEQUANT_HOME). */
  devices: string[];
}

export interface ToolInfo {
  name: string;
  version: string;
}

/** Who is writing a running run: used to tell a live run from one killed mid-way. */
export interface RunOwner {
  pid: number;
  host: string;
  /** Process start time (Linux /proc ticks) so a recycled pid is not mistaken for the owner. */
  startTicks?: number;
}

import type { HashedFile, HashedSet } from '../data/hashing';
export type { HashedFile, HashedSet };

export interface RunConfig {
  /** What the run did: a conversion (with quantization), an import check, a benchmark only. */
  kind: 'convert' | 'benchmark' | string;
  request?: ConvertRequest;
  /** Anything else the caller wants replayable (CLI argv, UI options). */
  [key: string]: unknown;
}

export interface RunArtifact {
  /** File name inside runs/<id>/. */
  name: string;
  kind: 'tflite' | 'report' | 'log' | 'other';
  bytes: number;
  sha256: string;
}

/** The bench latency summary (devices/stats.ts), as recorded in a run. */
export type LatencyStats = LatencySummary;

export interface DeviceResult {
  device: string;
  runtime?: { name: string; version: string };
  runs?: number;
  initMs?: number;
  latencyMs?: LatencyStats;
  /** Raw per-run latencies when the caller kept them (for distribution charts). */
  samplesMs?: number[];
  peakRssMb?: number;
  at: string;
  [key: string]: unknown;
}

/** Metrics are numbers by name (sizeBytes, floatTfliteBytes, sourceBytes, accuracy, agreement, sqnrDb, …). */
export type RunMetrics = Record<string, number | null>;

export interface RunRecord {
  schema: number;
  id: string;
  status: RunStatus;
  label?: string;
  tool: ToolInfo;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  owner?: RunOwner;
  config: RunConfig;
  inputs: { model?: HashedFile; calibration?: HashedSet };
  metrics: RunMetrics;
  timings: Record<string, number>;
  artifacts: RunArtifact[];
  deviceResults: DeviceResult[];
  warnings: string[];
  error?: { code: string; message: string };
  /** I/O tensors of the produced .tflite (with int8/uint8 quantization), for formulas and snippets. */
  io?: { inputs: IoTensor[]; outputs: IoTensor[] };
  /**
   * A quantizing conversion: the quantizer's report (float ops and why, per-layer table, checks,
   * rounding) and, when a recipe ran, the file it was saved to (runs/<id>/<recipeFile>, replayable
   * with --recipe).
   */
  quantization?: QuantizeReport & { recipeFile?: string };
  /** The TF.js backend the engine computed on ('tensorflow' = native tfjs-node, 'wasm', …). */
  compute?: { backend: string; notes: string[]; workers?: number };
  /** The arithmetic deploying code applies at each input and output. */
  ioFormulas?: IoFormula[];
  /** Per-tensor error of the converted graph, float vs quantized, on a few validation samples. */
  layerErrors?: LayerError[];
  /** What the validation figures were measured on. */
  validation?: RunValidation;
  /** The figures judged against thresholds, with the likely cause when they fall short. */
  verdict?: Verdict;
  /** A classifier's results on the validation data: confusion, per-class accuracy, changed predictions. */
  classification?: ClassificationResults;
  /** A detector run: detection metrics, boxes of the first images, board snippets (detect/run-record.ts). */
  detection?: RunDetection;
  /** A detector's quantization: the fix the file has and, when none was chosen, every fix measured with the recommended one. */
  detectorFix?: DetectorFixReport;
}

/** The run's per-run details, set by the work as it learns them (all optional). */
export type RunDetails = Partial<Pick<RunRecord, 'ioFormulas' | 'layerErrors' | 'validation' | 'verdict' | 'classification' | 'detection' | 'detectorFix'>>;

export interface RunValidation {
  /** The data compared on: the user's validation data, or the held-out share of the calibration data. */
  data: string;
  /** True when the samples are a held-out share of the calibration data (never calibrated on). */
  heldOut: boolean;
  samples: number;
  /** Labels were given: accuracy is label accuracy; otherwise only agreement with float exists. */
  labelled: boolean;
  /** SQNR against float per output (a detector's boxes and scores apart); the run's sqnrDb metric is the lowest. */
  outputs?: OutputSqnr[];
  /** The runtime both models ran in, and where (latency figures are from there). */
  runtime: { name: string; version: string; where: string };
}

export interface OutputSqnr {
  name: string;
  /** Short name to show: a split group's role (boxes, scores), else the output's name. */
  label: string;
  /** Null when identical to float. */
  sqnrDb: number | null;
}

export interface IoTensor {
  name: string;
  dtype: string;
  shape: number[];
  quant?: { scale: number; zeroPoint: number };
}

/** One row of the history table: enough to list, sort and chart without opening every run. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  label?: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  kind: string;
  model?: string;
  mode?: string;
  metrics: RunMetrics;
  devices: string[];
  /** Best p50 latency per device name. */
  latencyP50Ms: Record<string, number>;
  error?: string;
}

export interface RunIndex {
  schema: number;
  /** run id → summary plus the run.json stamp (mtime:size:inode) it was built from. */
  runs: Record<string, RunSummary & { stamp: string }>;
}
