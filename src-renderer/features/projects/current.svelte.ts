// The open project, shared by every page: which folder, its manifest and its runs. Pages read
// it and call refresh() after work that adds runs. The last project reopens on start; on the
// very first start (nothing recent) the demo project is created so Quantize works at once.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { ProjectView, RecentProject } from '../../../src-main/projects/api-contract';
import type { ModelEntry, RunSummary } from '../../../src-main/projects/types';

const LAST_KEY = 'edgequant.lastProject';

export class CurrentProject {
  view = $state<ProjectView | null>(null);
  recent = $state<RecentProject[]>([]);
  busy = $state(false);
  error = $state<string | null>(null);
  dir = $derived(this.view?.dir ?? null);
  runs = $derived<RunSummary[]>(this.view?.runs ?? []);
  models = $derived<ModelEntry[]>(this.view?.manifest.models ?? []);
  #started = false;

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#do(async () => {
      this.recent = await api.projects.recent();
      const last = localStorage.getItem(LAST_KEY);
      if (last && this.recent.some((r) => r.dir === last && r.exists)) await this.#show(api.projects.open({ dir: last }));
      else if (this.recent.length === 0) await this.#show(api.projects.demo());
    });
  }

  open(dir: string) {
    return this.#do(() => this.#show(api.projects.open({ dir })));
  }
  create(dir: string, name: string) {
    return this.#do(() => this.#show(api.projects.create({ dir, ...(name.trim() ? { name: name.trim() } : {}) })));
  }
  /** Drops a folder from the Recent list (e.g. one that was moved or deleted). */
  forget(dir: string) {
    return this.#do(async () => {
      this.recent = await api.projects.forget({ dir });
    });
  }
  openDemo() {
    return this.#do(() => this.#show(api.projects.demo()));
  }

  async refresh(): Promise<void> {
    if (!this.view) return;
    const dir = this.view.dir;
    await this.#do(() => this.#show(api.projects.open({ dir })));
  }

  /** Absolute path of a manifest path (stored relative to the project folder). */
  resolve(path: string): string {
    if (!this.view || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return path;
    return `${this.view.dir}/${path}`;
  }

  async #show(pending: Promise<ProjectView>): Promise<void> {
    const view = await pending;
    this.view = view;
    localStorage.setItem(LAST_KEY, view.dir);
    this.recent = await api.projects.recent();
  }

  async #do(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (error) {
      this.error = humanError(error);
    } finally {
      this.busy = false;
    }
  }
}

export const currentProject = new CurrentProject();
