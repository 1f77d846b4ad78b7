// sha256 of a model file and of a data set (a file or a folder of files), recorded in each run so
// a result can be traced to the exact bytes it came from. A set is hashed through the run's
// DataReader, so the same read also feeds calibration and evaluation.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors';
import { DataReader } from './reader';
import { walkFiles } from './walk';

export class DataPathError extends InputError {
  override name = 'DataPathError';
}

export interface HashedFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface HashedSet {
  path: string;
  sha256: string;
  files: number;
  bytes: number;
}

/** A reader that keeps nothing: hashing alone streams each file once. */
const streaming = () => new DataReader({ maxFileBytes: 0, maxDecodedBytes: 0 });

export async function sha256File(path: string, reader: DataReader = streaming()): Promise<string> {
  return reader.sha256(path);
}

function statOrThrow(path: string, what: string) {
  try {
    return statSync(path);
  } catch (error) {
    throw new DataPathError(`${what} ${path} not found (${(error as NodeJS.ErrnoException).code}); check the path.`);
  }
}

export async function hashFile(path: string, reader: DataReader = streaming()): Promise<HashedFile> {
  const st = statOrThrow(path, 'Model file');
  if (!st.isFile()) throw new DataPathError(`Model ${path} is not a file; pass the model file itself.`);
  return { path, sha256: await reader.sha256(path), bytes: st.size };
}

/**
 * A folder hashes as sha256 over "relative/path\0<file sha256>\n" lines in sorted order, so
 * renaming or editing any sample changes it while file system order does not.
 */
export async function hashSet(path: string, reader: DataReader = streaming()): Promise<HashedSet> {
  const st = statOrThrow(path, 'Calibration data');
  if (st.isFile()) return { path, sha256: await reader.sha256(path), files: 1, bytes: st.size };
  // Bounded (walk.ts): a symlinked sample is read (and so hashed) as the file it points to, but
  // symlink loops end and /usr-sized folders are refused.
  const files = await walkFiles(path, { accept: () => true, followSymlinks: true, skipHidden: true, what: 'Calibration data' });
  const hash = createHash('sha256');
  let bytes = 0;
  for (const rel of files) {
    const full = join(path, rel);
    bytes += statSync(full).size;
    hash.update(`${rel}\0${await reader.sha256(full)}\n`);
  }
  return { path, sha256: hash.digest('hex'), files: files.length, bytes };
}
