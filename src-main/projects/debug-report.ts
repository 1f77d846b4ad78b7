// A project run's saved debug report (debug.json, written by the Debug job in app/debug-run.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DebugReport } from '../debug/types';
import { InputError } from '../errors';
import { DEBUG_ARTIFACT } from './debug-api-contract';
import { readRun, runDir } from './runs';

export class DebugRunError extends InputError {
  override name = 'DebugRunError';
}

/** The run's saved debug report, or null when it has none. */
export function readDebugReport(project: string, id: string): DebugReport | null {
  const run = readRun(project, id);
  if (!run.artifacts.some((a) => a.name === DEBUG_ARTIFACT)) return null;
  const file = join(runDir({ dir: resolve(project), id: run.id }), DEBUG_ARTIFACT);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DebugReport;
  } catch (error) {
    throw new DebugRunError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}); run Debug again to rewrite it.`);
  }
}
