// The project store: folders the user owns holding a manifest and the history of runs.
export * from './types';
export { initProject, openProject, addModel, addCalibrationSet, projectRelative, type Project, type OpenedProject } from './project';
export { isProject, readManifest, updateManifest, addDeviceName, toolInfo } from './manifest';
export {
  startRun,
  finishRun,
  outcomeOf,
  recordMetrics,
  recordDeviceResult,
  addArtifact,
  writeJsonArtifact,
  readRun,
  listRuns,
  recoverInterruptedRuns,
  runDir,
  runExists,
  summarize,
  type RunRef,
  type RunOutcome,
  type StartRunOptions,
} from './runs';
export { recordRun, recordConvertRun, type RunContext } from './record-run';
export { sha256File, hashFile, hashSet } from '../data/hashing';
