// History page state: the runs table (sort, filter), the runs picked for comparison, chart
// data, and "Deploy & benchmark" of one run on a device.
import { api } from '../../lib/api';
import type { RunRecord, RunSummary } from '../../../src-main/projects/types';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';
import { paretoFront, type ParetoPoint } from './pareto';

export type SortKey = 'startedAt' | 'status' | 'mode' | 'model' | 'size' | 'accuracy' | 'sqnr' | 'latency';

export const latencyOf = (r: RunSummary): number | null => r.latencyP50Ms.local ?? Object.values(r.latencyP50Ms)[0] ?? (typeof r.metrics.latencyMs === 'number' ? r.metrics.latencyMs : null);

function sortValue(r: RunSummary, key: SortKey): string | number {
  switch (key) {
    case 'startedAt': return r.startedAt;
    case 'status': return r.status;
    case 'mode': return r.mode ?? r.kind;
    case 'model': return r.model ?? '';
    case 'size': return r.metrics.sizeBytes ?? Infinity;
    case 'accuracy': return r.metrics.accuracy ?? r.metrics.agreement ?? -1;
    case 'sqnr': return r.metrics.sqnrDb ?? -Infinity;
    case 'latency': return latencyOf(r) ?? Infinity;
  }
}

export class HistoryState {
  sortKey = $state<SortKey>('startedAt');
  descending = $state(true);
  filter = $state('');
  status = $state<'all' | RunSummary['status']>('all');
  selected = $state<string[]>([]);
  compared = $state<RunRecord[]>([]);
  /** Full records of recent runs with device results (for latency distributions). */
  benchRecords = $state<RunRecord[]>([]);
  metric = $state('accuracy');
  error = $state<string | null>(null);
  benchRun = $state<string | null>(null);
  benchDevice = $state('local');
  benchRuns = $state(100);
  devices = $state<string[]>(['local']);
  job = new JobState<RunRecord>();

  constructor() {
    // #/history?compare=a,b (the Debug view's "Keep float" lands here): compare those runs.
    const ids = (/[?&]compare=([^&]*)/.exec(location.hash)?.[1] ?? '').split(',').filter(Boolean).map(decodeURIComponent);
    if (ids.length) {
      this.selected = ids;
      void currentProject.start().then(() => this.compare());
    }
  }

  rows = $derived.by(() => {
    const text = this.filter.trim().toLowerCase();
    const rows = currentProject.runs.filter(
      (r) => (this.status === 'all' || r.status === this.status) && (!text || `${r.id} ${r.label ?? ''} ${r.mode ?? ''} ${r.model ?? ''} ${r.error ?? ''}`.toLowerCase().includes(text)),
    );
    const dir = this.descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = sortValue(a, this.sortKey);
      const y = sortValue(b, this.sortKey);
      return x < y ? -dir : x > y ? dir : 0;
    });
  });

  points = $derived.by(() =>
    currentProject.runs
      .filter((r) => r.status === 'succeeded' && typeof r.metrics.sizeBytes === 'number' && latencyOf(r) !== null)
      .map((r) => ({ id: r.id, label: r.label ?? `${r.mode} ${r.id.slice(-8)}`, size: r.metrics.sizeBytes!, latency: latencyOf(r)!, accuracy: r.metrics.accuracy ?? r.metrics.agreement ?? 0 })),
  );
  front = $derived<ParetoPoint[]>(paretoFront(this.points));
  overTime = $derived(
    currentProject.runs
      .filter((r) => typeof r.metrics[this.metric] === 'number')
      .map((r) => ({ t: Date.parse(r.startedAt), value: r.metrics[this.metric]!, label: r.id }))
      .sort((a, b) => a.t - b.t),
  );
  metricNames = $derived(
    currentProject.runs
      .flatMap((r) => Object.keys(r.metrics).filter((k) => typeof r.metrics[k] === 'number'))
      .filter((k, i, all) => all.indexOf(k) === i)
      .sort(),
  );
  distributions = $derived.by(() => {
    const byDevice: Record<string, number[]> = {};
    for (const run of this.benchRecords) {
      for (const d of run.deviceResults) if (d.samplesMs?.length) byDevice[d.device] = [...(byDevice[d.device] ?? []), ...d.samplesMs];
    }
    return Object.entries(byDevice).map(([device, samples]) => ({ device, samples }));
  });

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      this.descending = key === 'startedAt';
    }
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id];
  }

  async compare(): Promise<void> {
    const dir = currentProject.dir;
    if (!dir) return;
    this.error = null;
    try {
      this.compared = await Promise.all(this.selected.map((id) => api.projects.run({ dir, id })));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  async loadBenchRecords(): Promise<void> {
    const dir = currentProject.dir;
    if (!dir) return;
    const ids = currentProject.runs.filter((r) => r.devices.length > 0).slice(0, 30).map((r) => r.id);
    this.benchRecords = await Promise.all(ids.map((id) => api.projects.run({ dir, id })));
  }

  async loadDevices(): Promise<void> {
    try {
      this.devices = ['local', ...(await api.devices.list()).map((d) => d.name)];
    } catch (error) {
      this.error = `Device list unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async benchmark(runId: string): Promise<void> {
    const dir = currentProject.dir;
    if (!dir) return;
    this.benchRun = runId;
    await this.job.start({ kind: 'project-bench', params: { project: dir, runId, device: this.benchDevice, runs: this.benchRuns } }, () => {
      void currentProject.refresh().then(() => this.loadBenchRecords());
    });
  }
}
