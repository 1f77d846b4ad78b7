// The run page's state: which run, its record from the project (report, formulas, per-layer
// table and verdict come from the record, never recomputed here), and its files: a download in
// the browser host, "show in folder" in the Electron window.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { RunRecord } from '../../../src-main/projects/types';
import { currentProject } from '../projects/current.svelte';

export class RunPageState {
  id = $state<string | null>(null);
  run = $state<RunRecord | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  readonly canReveal = api.transport === 'electron' && !!window.edgequant;

  /** Absolute path of a run's file (the run folder is runs/<id>/ in the project). */
  artifactPath(name: string): string {
    const dir = currentProject.dir ?? '';
    const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
    return [dir, 'runs', this.id ?? '', name].join(sep);
  }

  async load(id: string): Promise<void> {
    const dir = currentProject.dir;
    this.id = id;
    this.error = null;
    if (!dir || !id) return;
    try {
      this.run = await api.projects.run({ dir, id });
    } catch (error) {
      this.run = null;
      this.error = humanError(error);
    }
  }

  async download(name: string): Promise<void> {
    const dir = currentProject.dir;
    if (!dir || !this.id) return;
    this.notice = null;
    try {
      const file = await api.projects.artifact({ dir, id: this.id, name });
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: file.name });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.notice = `Downloading ${file.name} (${file.bytes.toLocaleString()} bytes).`;
    } catch (error) {
      this.error = humanError(error);
    }
  }

  reveal(name: string): void {
    void window.edgequant?.showInFolder(this.artifactPath(name));
  }
}
