// The project channels of the API contract (types and constant names only, so the renderer can
// import them). src-main/api/contract.ts merges these into ApiRequests / JobKinds.
import type { SamplePreview } from '../data/preview';
import type { ConvertRequest } from '../convert/types';
import { DEVICE_API_CHANNELS, type DeviceApiRequests } from './device-api-contract';
import { DEBUG_API_CHANNELS, DEBUG_JOB_KINDS, type DebugApiRequests, type DebugJobKinds } from './debug-api-contract';
import type { CalibrationSetEntry, ModelEntry, ProjectManifest, RunRecord, RunSummary } from './types';

export interface ProjectView {
  dir: string;
  manifest: ProjectManifest;
  runs: RunSummary[];
  /** Runs this open found interrupted (owner process gone) and marked failed. */
  recovered: string[];
}

export interface RecentProject {
  dir: string;
  name: string;
  openedAt: string;
  exists: boolean;
}

export interface RunArtifactContent {
  name: string;
  /** Where it is on disk (shown to the user). */
  path: string;
  bytes: number;
  base64: string;
}

/** One calibration sample as the quantizer sees it (data/preview.ts). */
export type CalibrationPreview = SamplePreview;

export interface ProjectApiRequests extends DeviceApiRequests, DebugApiRequests {
  'projects.recent': { request: Record<string, never>; response: RecentProject[] };
  /** `dir` may be relative or start with ~: it is taken from the user's home folder. */
  'projects.create': { request: { dir: string; name?: string }; response: ProjectView };
  /** Removes a folder from the Recent list; returns the list. */
  'projects.forget': { request: { dir: string }; response: RecentProject[] };
  'projects.open': { request: { dir: string }; response: ProjectView };
  'projects.demo': { request: Record<string, never>; response: ProjectView };
  'projects.runs': { request: { dir: string }; response: RunSummary[] };
  'projects.run': { request: { dir: string; id: string }; response: RunRecord };
  /** One artifact's bytes (base64), so the browser host can offer it as a download. */
  'projects.artifact': { request: { dir: string; id: string; name: string }; response: RunArtifactContent };
  'projects.addModel': { request: { dir: string; path: string; format?: string }; response: ModelEntry };
  'projects.addCalibration': { request: { dir: string; path: string; preprocess?: string }; response: CalibrationSetEntry };
  'calibration.preview': { request: { path: string; preprocess: string; shape?: number[] }; response: CalibrationPreview };
}

export const PROJECT_API_CHANNELS = [
  'projects.recent',
  'projects.create',
  'projects.open',
  'projects.forget',
  'projects.demo',
  'projects.runs',
  'projects.run',
  'projects.artifact',
  'projects.addModel',
  'projects.addCalibration',
  'calibration.preview',
  ...DEVICE_API_CHANNELS,
  ...DEBUG_API_CHANNELS,
] as const satisfies readonly (keyof ProjectApiRequests)[];

/** A conversion recorded as a run of a project, then evaluated and benchmarked locally. */
export interface ProjectConvertParams {
  project: string;
  request: ConvertRequest;
  label?: string;
  /** Evaluate float vs quantized on this data (else on the calibration data's held-out share, if any). */
  evaluateData?: string;
  /** .npy of integer labels for evaluateData (gives accuracy, not only agreement). */
  evaluateLabels?: string;
  /** Benchmark the result locally after conversion (runs). 0 = skip. */
  benchRuns?: number;
  /** Judge the run as a detector, as before, or by the model's output shapes ('auto', the default). */
  task?: 'auto' | 'classify' | 'detect';
  /** Detector settings (task 'detect', or auto on a recognised head): labels are YOLO txt files. */
  detect?: { decoder?: 'auto' | 'yolov8' | 'nanodet' | 'ssd'; labels?: string; classes?: string };
}

export interface ProjectBenchParams {
  project: string;
  runId: string;
  /** 'local' or a board name from the device list. */
  device: string;
  runs: number;
  warmup?: number;
}

export interface RunProgress {
  stage: string;
  fraction?: number;
  message?: string;
  runId?: string;
  /** A log line (device jobs), appended by the UI to the live log. */
  log?: string;
}

export interface ProjectJobKinds extends DebugJobKinds {
  'project-convert': { params: ProjectConvertParams; progress: RunProgress; result: RunRecord };
  'project-bench': { params: ProjectBenchParams; progress: RunProgress; result: RunRecord };
}
export const PROJECT_JOB_KINDS = ['project-convert', 'project-bench', ...DEBUG_JOB_KINDS] as const satisfies readonly (keyof ProjectJobKinds)[];
