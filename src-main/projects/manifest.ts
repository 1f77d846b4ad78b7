// The project manifest file: read it, and change it under the project lock.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_NAME, APP_VERSION } from '../version';
import { readJson, writeJsonAtomic } from './atomic-json';
import { ProjectInputError } from './errors';
import { withLock } from './lock';
import { MANIFEST_FILE, PROJECT_SCHEMA, type ProjectManifest, type ToolInfo } from './types';

export const toolInfo = (): ToolInfo => ({ name: APP_NAME, version: APP_VERSION });
export const manifestPath = (dir: string) => join(dir, MANIFEST_FILE);
export const manifestLock = (dir: string) => join(dir, '.edgequant-project.lock');

export function isProject(dir: string): boolean {
  return existsSync(manifestPath(dir));
}

export function readManifest(dir: string): ProjectManifest {
  const root = resolve(dir);
  if (!isProject(root)) {
    throw new ProjectInputError(`${root} is not an EdgeQuant project (no ${MANIFEST_FILE}); run 'edgequant project init ${dir}' first.`);
  }
  const manifest = readJson<ProjectManifest>(manifestPath(root), 'Project manifest');
  if (typeof manifest.schema !== 'number' || manifest.schema > PROJECT_SCHEMA) {
    throw new ProjectInputError(`Project ${root} was written by a newer EdgeQuant (schema ${manifest.schema}); update EdgeQuant to open it.`);
  }
  return manifest;
}

/** Read-modify-write of the manifest under the project lock, so two writers never lose an edit. */
export function updateManifest(dir: string, change: (m: ProjectManifest) => void): ProjectManifest {
  const root = resolve(dir);
  return withLock(manifestLock(root), () => {
    const manifest = readManifest(root);
    change(manifest);
    writeJsonAtomic(manifestPath(root), manifest);
    return manifest;
  });
}

export function addDeviceName(dir: string, device: string): void {
  updateManifest(dir, (m) => {
    if (!m.devices.includes(device)) m.devices.push(device);
  });
}
