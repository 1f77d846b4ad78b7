// Debug view state: which run, its saved debug report (or a job that makes it), the per-layer
// table's sort, and "Keep float" — a new project run with the same request plus keep-float
// rules, after which History's comparison of the two runs opens.
import { api } from '../../lib/api';
import type { DebugReport } from '../../../src-main/debug/types';
import type { RunRecord } from '../../../src-main/projects/types';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';
import { sortLayers, withKeepFloat, type LayerSortKey } from './layers';
import { compareHref, rerunParams } from '../runs/rerun';

/** The run named by the hash (#/debug?run=ID), if any. */
export function runFromHash(hash: string): string | null {
  const match = /[?&]run=([^&]*)/.exec(hash);
  return match ? decodeURIComponent(match[1]!) : null;
}

export class DebugState {
  runId = $state<string | null>(runFromHash(location.hash));
  record = $state<RunRecord | null>(null);
  report = $state<DebugReport | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  data = $state('');
  sortKey = $state<LayerSortKey>('order');
  descending = $state(false);
  job = new JobState<DebugReport>();
  keepJob = new JobState<RunRecord>();
  /** What the running keep-float job keeps float (shown while it runs). */
  keeping = $state<string | null>(null);

  /** Succeeded quantizing runs: the ones with something to debug. */
  runs = $derived(currentProject.runs.filter((r) => r.status === 'succeeded' && r.mode && r.mode !== 'none'));
  rows = $derived(this.report ? sortLayers(this.report.layers, this.sortKey, this.descending) : []);
  worst = $derived(this.report?.ranking[0] ?? null);
  ops = $derived(this.report ? this.report.layers.map((l) => l.op).filter((op, i, all) => all.indexOf(op) === i).sort() : []);

  sortBy(key: LayerSortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = false;
    }
  }

  select(id: string): void {
    this.runId = id;
    history.replaceState(null, '', `#/debug?run=${encodeURIComponent(id)}`);
    void this.load();
  }

  /** Reads the run and its saved report; nothing is measured until the user asks. */
  async load(): Promise<void> {
    const dir = currentProject.dir;
    const id = this.runId;
    if (!dir || !id) return;
    this.loading = true;
    this.error = null;
    try {
      const [record, report] = await Promise.all([api.projects.run({ dir, id }), api.projects.debugReport({ dir, id })]);
      if (id !== this.runId) return;
      this.record = record;
      this.report = report;
      const evalData = record.config['evaluateData'];
      if (!this.data && typeof evalData === 'string') this.data = evalData;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }

  async debug(): Promise<void> {
    const dir = currentProject.dir;
    const runId = this.runId;
    if (!dir || !runId) return;
    const data = this.data.trim();
    await this.job.start({ kind: 'project-debug', params: { project: dir, runId, ...(data ? { data } : {}) } }, (report) => {
      if (runId === this.runId) this.report = report;
    });
  }

  /** A new run keeping `tensors` float; when it succeeds, History compares it with this run. */
  async keepFloat(tensors: string[], what: string): Promise<void> {
    const dir = currentProject.dir;
    const base = this.record;
    const request = base?.config.request;
    if (!dir || !base || !request) return;
    this.keeping = what;
    await this.keepJob.start({ kind: 'project-convert', params: rerunParams(dir, base, withKeepFloat(request, tensors), `keep float ${what}`) }, (run) => {
      void currentProject.refresh().then(() => {
        location.hash = compareHref(run.id, base.id);
      });
    });
  }
}
