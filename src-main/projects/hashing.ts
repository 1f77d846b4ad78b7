// sha256 of a model file and of a calibration set (a file or a folder of files), recorded in
// each run so a result can be traced to the exact bytes it came from.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { walkFiles } from '../data/walk';
import { InputError } from '../errors';
import type { HashedFile, HashedSet } from './types';

export class ProjectInputError extends InputError {
  override name = 'ProjectInputError';
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return hash.digest('hex');
}

function statOrThrow(path: string, what: string) {
  try {
    return statSync(path);
  } catch (error) {
    throw new ProjectInputError(`${what} ${path} not found (${(error as NodeJS.ErrnoException).code}); check the path.`);
  }
}

export async function hashFile(path: string): Promise<HashedFile> {
  const st = statOrThrow(path, 'Model file');
  if (!st.isFile()) throw new ProjectInputError(`Model ${path} is not a file; pass the model file itself.`);
  return { path, sha256: await sha256File(path), bytes: st.size };
}

/**
 * A folder hashes as sha256 over "relative/path\0<file sha256>\n" lines in sorted order, so
 * renaming or editing any sample changes it while file system order does not.
 */
export async function hashSet(path: string): Promise<HashedSet> {
  const st = statOrThrow(path, 'Calibration data');
  if (st.isFile()) return { path, sha256: await sha256File(path), files: 1, bytes: st.size };
  // Bounded: symlinks are not followed, and /usr-sized folders are refused (data/walk.ts).
  const files = await walkFiles(path, { accept: () => true, skipHidden: true, what: 'Calibration data' });
  const hash = createHash('sha256');
  let bytes = 0;
  for (const rel of files) {
    const full = join(path, rel);
    bytes += statSync(full).size;
    hash.update(`${rel}\0${await sha256File(full)}\n`);
  }
  return { path, sha256: hash.digest('hex'), files: files.length, bytes };
}
