// Bounded folder walks. A walk never loops (each real directory, by device and inode, is read
// once, so symlink loops end), never goes deeper than maxDepth, and stops with a one-line error
// once it has seen maxEntries entries or found more than maxFiles matching files, instead of
// walking /usr or a symlink loop for minutes.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors';

export class FolderWalkError extends InputError {
  override name = 'FolderWalkError';
}

export interface WalkOptions {
  /** Which files count (by name). */
  accept: (name: string) => boolean;
  /** Follow symbolic links to files and folders (each real folder is still read once). */
  followSymlinks?: boolean;
  skipHidden?: boolean;
  maxFiles?: number;
  maxDepth?: number;
  /** Folders below maxDepth: an error (the default), or left unread ('skip'). */
  deeper?: 'error' | 'skip';
  /** Entries of any kind read in total (files, folders, others). */
  maxEntries?: number;
  /** What the folder is for, in errors ("Calibration folder"). */
  what?: string;
}

export const WALK_LIMITS = { maxFiles: 20_000, maxDepth: 8, maxEntries: 100_000 } as const;

/** Matching files under root as paths relative to it ('/'-joined), sorted. */
export async function walkFiles(root: string, options: WalkOptions): Promise<string[]> {
  const { accept, followSymlinks = false, skipHidden = false, deeper = 'error', what = 'Folder' } = options;
  const { maxFiles = WALK_LIMITS.maxFiles, maxDepth = WALK_LIMITS.maxDepth, maxEntries = WALK_LIMITS.maxEntries } = options;
  const seen = new Set<string>();
  const found: string[] = [];
  let entries = 0;
  const identity = async (path: string) => {
    const info = await stat(path).catch(() => null);
    return info ? { info, key: `${info.dev}:${info.ino}` } : null;
  };
  const rootId = await identity(root);
  if (!rootId?.info.isDirectory()) throw new FolderWalkError(`${what} ${root} is not a folder; pick a folder.`);
  seen.add(rootId.key);

  const visit = async (dir: string, relative: string, depth: number): Promise<void> => {
    const list = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new FolderWalkError(`${what} ${dir} cannot be read (${error.code ?? error.message}); check its permissions.`);
    });
    for (const entry of list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++entries > maxEntries) {
        throw new FolderWalkError(`${what} ${root} holds more than ${maxEntries} entries; pick the folder of the data itself.`);
      }
      if (skipHidden && entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        if (!followSymlinks) continue;
        const target = await identity(path);
        if (!target) continue; // a dangling link
        isDir = target.info.isDirectory();
        isFile = target.info.isFile();
        if (isDir && seen.has(target.key)) continue; // a loop, or a second way to the same folder
        if (isDir) seen.add(target.key);
      } else if (isDir) {
        const id = await identity(path);
        if (!id || seen.has(id.key)) continue;
        seen.add(id.key);
      }
      if (isDir) {
        if (depth + 1 > maxDepth && deeper === 'skip') continue;
        if (depth + 1 > maxDepth) throw new FolderWalkError(`${what} ${root} nests folders deeper than ${maxDepth} levels (at ${rel}); pick a flatter folder.`);
        await visit(path, rel, depth + 1);
      } else if (isFile && accept(entry.name)) {
        found.push(rel);
        if (found.length > maxFiles) throw new FolderWalkError(`${what} ${root} holds more than ${maxFiles} matching files; pick a smaller folder.`);
      }
    }
  };
  await visit(root, '', 0);
  return found.sort();
}
