// Runs: one folder per experiment under runs/. The owner process writes run.json as the run
// advances; any process may append device results. Each run.json change is atomic and done
// under that run's lock; the shared index is then refreshed under the index lock.
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CancelledError, errorCode, oneLine } from '../errors';
import { readJson, writeJsonAtomic, writeFileAtomic } from './atomic-json';
import { hashFile, hashSet, sha256File, type HashedSet } from '../data/hashing';
import { ProjectInputError } from './errors';
import { withLock } from './lock';
import { addDeviceName, manifestLock, readManifest, toolInfo } from './manifest';
import { currentOwner, isOwnerDead } from './owner';
import { indexLock, readIndexFresh, summarize, updateIndexEntry } from './run-index';

export { summarize } from './run-index';
import {
  PROJECT_SCHEMA,
  RUN_FILE,
  RUNS_DIR,
  type DeviceResult,
  type RunArtifact,
  type RunConfig,
  type RunMetrics,
  type RunDetails,
  type RunRecord,
  type RunStatus,
  type RunSummary,
} from './types';

export interface RunRef {
  /** Project folder. */
  dir: string;
  id: string;
}

export interface StartRunOptions {
  label?: string;
  /** Model file to hash into the record. */
  model?: string;
  /** Calibration file or folder to hash into the record. */
  calibration?: string;
  /** Hashes the calibration set (default: a streaming hash); a run passes its DataReader's. */
  hashCalibration?: (path: string) => Promise<HashedSet>;
}

export const runDir = (ref: RunRef) => join(ref.dir, RUNS_DIR, ref.id);
const runFile = (ref: RunRef) => join(runDir(ref), RUN_FILE);
const runLock = (ref: RunRef) => join(runDir(ref), '.run.lock');

/** Every lock a job writing run `ref` may hold: the run's, the run index's and the manifest's. */
export function runLockPaths(ref: RunRef): string[] {
  const root = resolve(ref.dir);
  return [runLock({ dir: root, id: ref.id }), indexLock(root), manifestLock(root)];
}

function checkId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new ProjectInputError(`'${id}' is not a run id; ids look like 20261125-224501-1a2b3c4d.`);
}

/** Sortable by time: UTC date-time plus random hex so concurrent starts never collide. */
function newRunId(now: Date): string {
  const iso = now.toISOString(); // 2026-11-25T22:45:01.123Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(4).toString('hex')}`;
}

export function readRun(dir: string, id: string): RunRecord {
  checkId(id);
  const ref = { dir: resolve(dir), id };
  if (!existsSync(runFile(ref))) throw new ProjectInputError(`Run ${id} not found in ${ref.dir}; list runs with 'edgequant project runs ${dir}'.`);
  return readJson<RunRecord>(runFile(ref), 'Run record');
}

/** Change run.json under the run lock, then refresh the index entry. */
function updateRun(ref: RunRef, change: (run: RunRecord) => void | false): RunRecord {
  let written = true;
  const run = withLock(runLock(ref), () => {
    const current = readJson<RunRecord>(runFile(ref), 'Run record');
    if (change(current) === false) {
      written = false;
      return current;
    }
    writeJsonAtomic(runFile(ref), current);
    return current;
  });
  if (written) updateIndexEntry(ref.dir, ref.id);
  return run;
}

export async function startRun(dir: string, config: RunConfig, options: StartRunOptions = {}): Promise<RunRef & { record: RunRecord }> {
  const root = resolve(dir);
  readManifest(root); // fails with a clear message when the folder is not a project
  // Hash before creating the folder: a missing input is the caller's error, not a failed run.
  const model = options.model ? await hashFile(resolve(options.model)) : undefined;
  const calibration = options.calibration ? await (options.hashCalibration ?? hashSet)(resolve(options.calibration)) : undefined;
  mkdirSync(join(root, RUNS_DIR), { recursive: true });
  let id = newRunId(new Date());
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(join(root, RUNS_DIR, id)); // non-recursive: fails if the id is taken
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 5) throw error;
      id = newRunId(new Date());
    }
  }
  const record: RunRecord = {
    schema: PROJECT_SCHEMA,
    id,
    status: 'running',
    tool: toolInfo(),
    startedAt: new Date().toISOString(),
    owner: currentOwner(),
    config,
    inputs: {},
    metrics: {},
    timings: {},
    artifacts: [],
    deviceResults: [],
    warnings: [],
  };
  if (options.label) record.label = options.label;
  if (model) record.inputs.model = model;
  if (calibration) record.inputs.calibration = calibration;
  const ref = { dir: root, id };
  writeJsonAtomic(runFile(ref), record);
  updateIndexEntry(root, id);
  return { ...ref, record };
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  metrics?: RunMetrics;
  timings?: Record<string, number>;
  warnings?: string[];
  error?: { code: string; message: string };
  io?: RunRecord['io'];
  quantization?: RunRecord['quantization'];
  compute?: RunRecord['compute'];
  details?: RunDetails;
}

export function finishRun(ref: RunRef, outcome: RunOutcome): RunRecord {
  return updateRun({ dir: resolve(ref.dir), id: ref.id }, (run) => {
    if (run.status !== 'running') throw new ProjectInputError(`Run ${ref.id} already finished (${run.status}); a run is finished once.`);
    const finished = new Date();
    run.status = outcome.status;
    run.finishedAt = finished.toISOString();
    run.durationMs = finished.getTime() - Date.parse(run.startedAt);
    Object.assign(run.metrics, outcome.metrics ?? {});
    Object.assign(run.timings, outcome.timings ?? {});
    run.warnings.push(...(outcome.warnings ?? []));
    if (outcome.error) run.error = outcome.error;
    if (outcome.io) run.io = outcome.io;
    if (outcome.quantization) run.quantization = outcome.quantization;
    if (outcome.compute) run.compute = outcome.compute;
    Object.assign(run, outcome.details ?? {});
    delete run.owner;
  });
}

/**
 * Finishes a run its writer abandoned (its job's worker thread crashed or was terminated while
 * this process lives on, so recoverInterruptedRuns would not see a dead owner). Returns null
 * when the run already finished: the writer got there first.
 */
export function abandonRun(ref: RunRef, outcome: RunOutcome): RunRecord | null {
  let changed = false;
  const run = updateRun({ dir: resolve(ref.dir), id: ref.id }, (r) => {
    if (r.status !== 'running') return false;
    const finished = new Date();
    r.status = outcome.status;
    r.finishedAt = finished.toISOString();
    r.durationMs = finished.getTime() - Date.parse(r.startedAt);
    if (outcome.error) r.error = outcome.error;
    delete r.owner;
    changed = true;
  });
  return changed ? run : null;
}

/** Outcome for a thrown error: cancelled for CancelledError, failed otherwise. */
export function outcomeOf(error: unknown): RunOutcome {
  return error instanceof CancelledError
    ? { status: 'cancelled', error: { code: 'CANCELLED', message: oneLine(error) } }
    : { status: 'failed', error: { code: errorCode(error), message: oneLine(error) } };
}

/** Merges metrics into a run (running or finished, e.g. a later evaluation). */
export function recordMetrics(ref: RunRef, metrics: RunMetrics): RunRecord {
  return updateRun({ dir: resolve(ref.dir), id: ref.id }, (run) => {
    Object.assign(run.metrics, metrics);
  });
}

export function recordDeviceResult(ref: RunRef, result: Partial<DeviceResult> & { device: string }): RunRecord {
  const root = resolve(ref.dir);
  const run = updateRun({ dir: root, id: ref.id }, (r) => {
    r.deviceResults.push({ ...result, at: typeof result.at === 'string' ? result.at : new Date().toISOString() });
  });
  if (result.device !== 'local') addDeviceName(root, result.device);
  return run;
}

/** Copies a file into the run folder (atomically) and lists it as an artifact. */
export async function addArtifact(ref: RunRef, source: string, kind: RunArtifact['kind'], name = basename(source)): Promise<RunArtifact> {
  if (name.includes('/') || name.includes('\\') || name.startsWith('.') || name === 'run.json') {
    throw new ProjectInputError(`Artifact name '${name}' must be a plain file name other than run.json.`);
  }
  const target = join(runDir(ref), name);
  if (resolve(source) !== resolve(target)) {
    const temp = `${target}.${process.pid}.partial`;
    copyFileSync(source, temp);
    renameSync(temp, target);
  }
  const artifact: RunArtifact = { name, kind, bytes: statSync(target).size, sha256: await sha256File(target) };
  updateRun(ref, (run) => {
    run.artifacts = run.artifacts.filter((a) => a.name !== name);
    run.artifacts.push(artifact);
  });
  return artifact;
}

/** Writes a JSON document (e.g. an evaluation report) as an artifact of the run. */
export async function writeJsonArtifact(ref: RunRef, name: string, value: unknown): Promise<RunArtifact> {
  writeFileAtomic(join(runDir(ref), name), JSON.stringify(value, null, 2) + '\n');
  return addArtifact(ref, join(runDir(ref), name), 'report', name);
}

/** Runs listed newest first, from the index (refreshed from run.json files that changed). */
export function listRuns(dir: string): RunSummary[] {
  const root = resolve(dir);
  readManifest(root);
  return readIndexFresh(root);
}

/** Marks failed every run left 'running' whose owner process is gone. Returns those runs. */
export function recoverInterruptedRuns(dir: string): RunSummary[] {
  const root = resolve(dir);
  const recovered: RunSummary[] = [];
  for (const summary of readIndexFresh(root)) {
    if (summary.status !== 'running') continue;
    const ref = { dir: root, id: summary.id };
    let changed = false;
    const run = updateRun(ref, (r) => {
      if (r.status !== 'running' || !isOwnerDead(r.owner)) return false;
      const pid = r.owner?.pid;
      r.status = 'failed';
      r.finishedAt = new Date().toISOString();
      r.durationMs = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
      r.error = { code: 'INTERRUPTED', message: `The run was interrupted: process ${pid ?? '?'} ended before finishing it (crash or kill).` };
      delete r.owner;
      changed = true;
    });
    if (changed) recovered.push(summarize(run));
  }
  return recovered;
}

export function runExists(dir: string, id: string): boolean {
  return existsSync(join(resolve(dir), RUNS_DIR, id, RUN_FILE));
}
