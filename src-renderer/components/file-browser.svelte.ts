// The file browser dialog's state: the folder shown (listed by the main side through
// files.browse, under the same token and path scope as every request), going into a folder, up,
// home, and where to start from a path the user already typed.
import { api } from '../lib/api';
import { humanError } from '../lib/human-error';
import type { BrowseListing } from '../../src-main/data/browse';

/** What a path field takes: a file, a folder, or either (a data set is a folder or a .npy). */
export type PathKind = 'file' | 'folder' | 'any';

/** `dir` joined with one entry name, in the folder's own separator style. */
export function childPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The folder part of a path ('' when it has none). */
export function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? (cut === 0 ? path.slice(0, 1) : '') : path.slice(0, cut);
}

/** What the dialog asks for, in words: "a folder or a file (.npy, .npz)". */
export function wantedText(kind: PathKind, extensions?: string[]): string {
  const types = extensions?.length ? ` (${extensions.map((e) => `.${e}`).join(', ')})` : '';
  return kind === 'folder' ? 'a folder' : kind === 'file' ? `a file${types}` : `a folder or a file${types}`;
}

export class FileBrowserState {
  listing = $state<BrowseListing | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  readonly #field: () => { kind: PathKind; extensions?: string[] | undefined };

  /** `field`: what the path field takes, read at each listing. */
  constructor(field: () => { kind: PathKind; extensions?: string[] | undefined }) {
    this.#field = field;
  }

  /** Lists `dir`; on failure the current listing stays and the error is shown. */
  async go(dir: string): Promise<boolean> {
    const { kind, extensions } = this.#field();
    this.loading = true;
    try {
      this.listing = await api.files.browse({ dir, ...(kind === 'folder' ? { foldersOnly: true } : {}), ...(kind !== 'folder' && extensions?.length ? { extensions } : {}) });
      this.error = null;
      return true;
    } catch (error) {
      this.error = humanError(error);
      return false;
    } finally {
      this.loading = false;
    }
  }

  /** Opens at the typed path (or its folder when it is a file or missing), else at home. */
  async startAt(typed: string): Promise<void> {
    const path = typed.trim();
    const tries = path ? [path, parentOf(path)].filter(Boolean) : [];
    for (const dir of tries) if (await this.go(dir)) return;
    const failed = this.error;
    if (!(await this.go('~')) && failed) this.error = failed;
    else this.error = null;
  }
}
