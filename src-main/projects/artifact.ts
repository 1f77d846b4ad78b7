// One artifact of a run, read for download (the browser host has no other way to hand a file to
// the user). Only files the run lists are served, and only up to a size a download can carry.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunArtifactContent } from './api-contract';
import { ProjectInputError } from './errors';
import { readRun, runDir } from './runs';

/** 256 MiB: larger files are copied from the folder shown next to them. */
export const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

export async function readArtifact(dir: string, id: string, name: string): Promise<RunArtifactContent> {
  const run = readRun(dir, id);
  const artifact = run.artifacts.find((a) => a.name === name);
  if (!artifact) throw new ProjectInputError(`Run ${id} has no file named ${name}; pick one of: ${run.artifacts.map((a) => a.name).join(', ') || 'none'}.`);
  if (artifact.bytes > MAX_DOWNLOAD_BYTES) throw new ProjectInputError(`${name} is ${Math.round(artifact.bytes / 2 ** 20)} MiB, too large to download here; copy it from the run folder.`);
  const path = join(runDir({ dir, id }), name);
  const bytes = await readFile(path);
  return { name, path, bytes: bytes.length, base64: bytes.toString('base64') };
}
