// One folder's listing for the Studio's file browser (files.browse): folders first, then files
// with their size, filtered by extension or to folders only. Bounded like the folder walks
// (walk.ts): the folder is read as a stream and at most WALK_LIMITS.maxEntries entries are
// looked at; at most BROWSE_SHOWN are listed (`truncated` says so), so a folder of a million
// files neither blocks nor floods the page. Symlinks are listed as what they point to.
import { opendir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors';
import { WALK_LIMITS } from './walk';

export class BrowseError extends InputError {
  override name = 'BrowseError';
}

export interface BrowseRequest {
  /** Absolute folder to list. */
  dir: string;
  /** Only files with these extensions (no dot, any case); folders are always listed. */
  extensions?: string[];
  foldersOnly?: boolean;
  /** List names starting with '.' too. */
  showHidden?: boolean;
}

export interface BrowseEntry {
  name: string;
  kind: 'folder' | 'file';
  /** Bytes (files only). */
  size?: number;
}

export interface BrowseListing {
  dir: string;
  /** The folder above, or null at the top of the file system. */
  parent: string | null;
  entries: BrowseEntry[];
  /** Entries were left out (more than the listing shows, or more than were read). */
  truncated: boolean;
}

/** Most entries one listing returns. */
export const BROWSE_SHOWN = 2000;

export interface BrowseLimits {
  maxRead: number;
  maxShown: number;
}

export async function browseFolder(request: BrowseRequest, limits: BrowseLimits = { maxRead: WALK_LIMITS.maxEntries, maxShown: BROWSE_SHOWN }): Promise<BrowseListing> {
  const { dir } = request;
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    throw new BrowseError(`${dir} ${error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code ?? error.message})`}; pick another folder.`);
  });
  if (!info.isDirectory()) throw new BrowseError(`${dir} is not a folder; pick a folder to list.`);
  const wanted = request.extensions?.map((e) => `.${e.toLowerCase()}`);
  const accept = (name: string) => !wanted || wanted.some((ext) => name.toLowerCase().endsWith(ext));
  const folders: BrowseEntry[] = [];
  const files: BrowseEntry[] = [];
  let read = 0;
  let truncated = false;
  const handle = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new BrowseError(`${dir} cannot be read (${error.code ?? error.message}); check its permissions.`);
  });
  for await (const entry of handle) {
    if (++read > limits.maxRead) {
      truncated = true;
      break; // leaving the loop closes the directory handle
    }
    if (!request.showHidden && entry.name.startsWith('.')) continue;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(join(dir, entry.name)).catch(() => null);
      if (!target) continue; // a dangling link
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) folders.push({ name: entry.name, kind: 'folder' });
    else if (isFile && !request.foldersOnly && accept(entry.name)) files.push({ name: entry.name, kind: 'file' });
  }
  const byName = (a: BrowseEntry, b: BrowseEntry) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  const all = [...folders.sort(byName), ...files.sort(byName)];
  if (all.length > limits.maxShown) truncated = true;
  const entries = all.slice(0, limits.maxShown);
  // Sizes only for what is shown: one stat per listed file.
  await Promise.all(entries.filter((e) => e.kind === 'file').map(async (e) => {
    const s = await stat(join(dir, e.name)).catch(() => null);
    if (s) e.size = s.size;
  }));
  const parent = dirname(dir);
  return { dir, parent: parent === dir ? null : parent, entries, truncated };
}
