// Models page state: which file, its summary from the engine (models.inspect), adding it to
// the project. In Electron a dropped file's path comes from the preload; in the browser host a
// dropped file has no path on disk, so the path is typed.
import { humanError } from '../../lib/human-error';
import { api, droppedFilePath } from '../../lib/api';
import type { ModelSummary } from '../../../src-main/api/contract';
import { currentProject } from '../projects/current.svelte';

export class ModelsState {
  path = $state('');
  summary = $state<ModelSummary | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  ops = $derived(Object.entries(this.summary?.opHistogram ?? {}).sort((a, b) => b[1] - a[1]));

  async inspect(path = this.path): Promise<void> {
    this.path = path.trim();
    if (!this.path) return;
    this.loading = true;
    this.error = null;
    this.notice = null;
    try {
      this.summary = await api.models.inspect({ path: this.path });
    } catch (error) {
      this.summary = null;
      this.error = humanError(error);
    } finally {
      this.loading = false;
    }
  }

  async addToProject(): Promise<void> {
    const dir = currentProject.dir;
    if (!dir || !this.summary) return;
    try {
      const entry = await api.projects.addModel({ dir, path: this.summary.path, format: this.summary.format });
      this.notice = `Added ${entry.name} to the project.`;
      await currentProject.refresh();
    } catch (error) {
      this.error = humanError(error);
    }
  }

  /** Electron gives dropped files a path (preload's pathForFile); a browser does not. */
  drop(files: FileList | null | undefined): void {
    const file = files?.[0];
    if (!file) return;
    const path = droppedFilePath(file);
    if (path) void this.inspect(path);
    else this.notice = `The browser host cannot see where '${file.name}' is on disk: paste its full path below.`;
  }
}
