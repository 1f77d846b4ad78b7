// Create and open project folders; keep the manifest (models, calibration sets, devices).
// Opening a project also settles runs left 'running' by a process that died (crash, kill -9).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic } from './atomic-json';
import { hashFile, hashSet } from '../data/hashing';
import { ProjectInputError } from './errors';
import { withLock } from './lock';
import { isProject, manifestLock, manifestPath, readManifest, toolInfo, updateManifest } from './manifest';
import { recoverInterruptedRuns } from './runs';
import {
  PROJECT_SCHEMA,
  RUNS_DIR,
  type CalibrationSetEntry,
  type ModelEntry,
  type ProjectManifest,
  type RunSummary,
} from './types';

export interface Project {
  dir: string;
  manifest: ProjectManifest;
}

export interface OpenedProject extends Project {
  /** Runs this open found interrupted and marked failed. */
  recovered: RunSummary[];
}

export { isProject, readManifest, updateManifest, addDeviceName, toolInfo } from './manifest';

export function initProject(dir: string, name?: string): Project {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new ProjectInputError(`${root} exists and is not a folder; choose a folder for the project.`);
  }
  if (isProject(root)) throw new ProjectInputError(`${root} already holds a project; open it instead of creating it.`);
  if (existsSync(root) && readdirSync(root).some((e) => !e.startsWith('.'))) {
    // Adding a manifest to a non-empty folder is allowed (a user's model folder), runs/ must be new.
    if (existsSync(join(root, RUNS_DIR))) throw new ProjectInputError(`${root} already has a runs/ folder; choose an empty folder.`);
  }
  mkdirSync(join(root, RUNS_DIR), { recursive: true });
  const manifest: ProjectManifest = {
    schema: PROJECT_SCHEMA,
    name: name?.trim() || basename(root),
    createdAt: new Date().toISOString(),
    tool: toolInfo(),
    models: [],
    calibrationSets: [],
    devices: [],
  };
  withLock(manifestLock(root), () => {
    if (isProject(root)) throw new ProjectInputError(`${root} already holds a project; open it instead of creating it.`);
    writeJsonAtomic(manifestPath(root), manifest);
  });
  return { dir: root, manifest };
}

export function openProject(dir: string): OpenedProject {
  const root = resolve(dir);
  const manifest = readManifest(root);
  mkdirSync(join(root, RUNS_DIR), { recursive: true });
  const recovered = recoverInterruptedRuns(root);
  return { dir: root, manifest, recovered };
}

/** Paths inside the project are stored relative so the folder stays portable. */
export function projectRelative(dir: string, path: string): string {
  const abs = resolve(dir, path);
  const rel = relative(resolve(dir), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
}

export function resolveInProject(dir: string, path: string): string {
  return resolve(dir, path);
}

const newId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Adds a model (or returns the existing entry with the same bytes and path). */
export async function addModel(dir: string, modelPath: string, format?: string): Promise<ModelEntry> {
  const hashed = await hashFile(resolve(dir, modelPath));
  const path = projectRelative(dir, hashed.path);
  let entry: ModelEntry | undefined;
  updateManifest(dir, (m) => {
    entry = m.models.find((x) => x.path === path && x.sha256 === hashed.sha256);
    if (entry) return;
    entry = { id: newId('model'), name: basename(hashed.path), path, sha256: hashed.sha256, bytes: hashed.bytes, addedAt: new Date().toISOString() };
    if (format) entry.format = format;
    m.models.push(entry);
  });
  return entry!;
}

export async function addCalibrationSet(dir: string, dataPath: string, preprocess?: string, samples?: number): Promise<CalibrationSetEntry> {
  const hashed = await hashSet(resolve(dir, dataPath));
  const path = projectRelative(dir, hashed.path);
  let entry: CalibrationSetEntry | undefined;
  updateManifest(dir, (m) => {
    entry = m.calibrationSets.find((x) => x.path === path && x.sha256 === hashed.sha256 && x.preprocess === preprocess);
    if (entry) return;
    entry = { id: newId('calib'), name: basename(hashed.path), path, sha256: hashed.sha256, files: hashed.files, addedAt: new Date().toISOString() };
    if (preprocess) entry.preprocess = preprocess;
    if (samples) entry.samples = samples;
    m.calibrationSets.push(entry);
  });
  return entry!;
}
