// The quantization debugger's channels of the API contract (types and names only): a job that
// debugs a project run and saves the report as the run's debug.json, and a request that reads it.
import type { DebugReport } from '../debug/types';
import type { RunProgress } from './api-contract';

export const DEBUG_ARTIFACT = 'debug.json';

/** Debug the quantized .tflite of a run against its float model, layer by layer. */
export interface ProjectDebugParams {
  project: string;
  runId: string;
  /** Held-out data; defaults to the run's evaluation data, else its calibration data (with a warning). */
  data?: string;
  /** Samples for the per-layer figures (default 32). */
  samples?: number;
}

export interface DebugApiRequests {
  /** The run's saved debug report, or null when the run was never debugged. */
  'projects.debugReport': { request: { dir: string; id: string }; response: DebugReport | null };
}
export const DEBUG_API_CHANNELS = ['projects.debugReport'] as const satisfies readonly (keyof DebugApiRequests)[];

export interface DebugJobKinds {
  'project-debug': { params: ProjectDebugParams; progress: RunProgress; result: DebugReport };
}
export const DEBUG_JOB_KINDS = ['project-debug'] as const satisfies readonly (keyof DebugJobKinds)[];
