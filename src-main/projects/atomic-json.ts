// Crash-safe JSON files: write a temp file next to the target, fsync it, rename it over the
// target, fsync the folder. A reader sees either the old file or the new one, never half.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OperationError } from '../errors';

export class ProjectFileError extends OperationError {
  override name = 'ProjectFileError';
}

/** Keys that read best first; the rest follow alphabetically so output is stable. */
const LEADING_KEYS = ['schema', 'id', 'name', 'status', 'label'];

function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).filter((k) => source[k] !== undefined);
  keys.sort((a, b) => {
    const ia = LEADING_KEYS.indexOf(a);
    const ib = LEADING_KEYS.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = orderKeys(source[k]);
  return out;
}

/** JSON with a fixed key order, two-space indent and a final newline (diff-friendly). */
export function stableJson(value: unknown): string {
  return JSON.stringify(orderKeys(value), null, 2) + '\n';
}

export function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; there rename is already durable enough.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncDir(dir);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, stableJson(value));
}

export function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProjectFileError(`Cannot read ${what} ${path} (${code ?? String(error)}).`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ProjectFileError(`${what} ${path} is not valid JSON (${(error as Error).message}); restore it from version control or delete it.`);
  }
}
