// History page state: the runs table (sort, filter), the runs picked for comparison, chart
// data, and "Deploy & benchmark" of one run on a device.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import type { RunRecord, RunSummary } from '../../../src-main/projects/types';
import { currentProject } from '../projects/current.svelte';
import { JobState } from '../projects/job.svelte';
import { paretoFront, type ParetoPoint } from './pareto';
import { score, SCORE_NAMES } from '../runs/metric-names';

/** Metrics worth charting over time, in the order the default is picked from. */
const PREFERRED_METRICS = ['map50', 'labelMap50', 'map5095', 'sqnrDb', 'accuracy', 'agreement', 'sizeBytes', 'latencyMs', 'compression'];

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
  /** The model whose runs are shown (runs of different models do not compare); '' = all. */
  model = $state<string | null>(null);
  metric = $state('');
  error = $state<string | null>(null);
  benchRun = $state<string | null>(null);
  benchDevice = $state('local');
  benchRuns = $state(100);
  devices = $state<string[]>(['local']);
  job = new JobState<RunRecord>();

  models = $derived(currentProject.runs.map((r) => r.model ?? '–').filter((m, i, all) => all.indexOf(m) === i));
  /** The picked model, else the most recent run's. */
  shownModel = $derived(this.model !== null && (this.model === '' || this.models.includes(this.model)) ? this.model : (currentProject.runs[0]?.model ?? '–'));
  ofModel = $derived(currentProject.runs.filter((r) => this.shownModel === '' || (r.model ?? '–') === this.shownModel));

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
    const rows = this.ofModel.filter(
      (r) => (this.status === 'all' || r.status === this.status) && (!text || `${r.id} ${r.label ?? ''} ${r.mode ?? ''} ${r.model ?? ''} ${r.error ?? ''}`.toLowerCase().includes(text)),
    );
    const dir = this.descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = sortValue(a, this.sortKey);
      const y = sortValue(b, this.sortKey);
      return x < y ? -dir : x > y ? dir : 0;
    });
  });

  /** Chart points follow the table: the shown model's runs that pass the filter; selected ones marked. */
  points = $derived.by(() =>
    this.rows
      .filter((r) => r.status === 'succeeded' && typeof r.metrics.sizeBytes === 'number' && latencyOf(r) !== null)
      .map((r) => {
        const s = score(r.metrics);
        return { id: r.id, label: r.label ?? `${r.mode} ${r.id.slice(-8)}`, size: r.metrics.sizeBytes!, latency: latencyOf(r)!, accuracy: s?.value ?? 0, scoreKind: s?.kind ?? null, selected: this.selected.includes(r.id) };
      }),
  );
  front = $derived<ParetoPoint[]>(paretoFront(this.points));
  /** Score column title: what the shown runs' figure is. */
  scoreTitle = $derived.by(() => {
    const kinds = this.rows.map((r) => score(r.metrics)?.kind ?? 'agreement').filter((k, i, all) => all.indexOf(k) === i);
    if (kinds.length === 1 && kinds[0] === 'map') return SCORE_NAMES.map;
    return kinds.length === 1 && kinds[0] === 'accuracy' ? 'Accuracy' : kinds.length <= 1 ? 'Top-1 agreement with float' : 'Accuracy (labels) or agreement';
  });
  metricNames = $derived(
    this.rows
      .flatMap((r) => Object.keys(r.metrics).filter((k) => typeof r.metrics[k] === 'number'))
      .filter((k, i, all) => all.indexOf(k) === i)
      .sort((a, b) => (PREFERRED_METRICS.indexOf(a) + 1 || 99) - (PREFERRED_METRICS.indexOf(b) + 1 || 99) || a.localeCompare(b)),
  );
  /** The picked metric when the shown runs have it, else the first preferred one they have. */
  shownMetric = $derived(this.metricNames.includes(this.metric) ? this.metric : (this.metricNames[0] ?? ''));
  overTime = $derived(
    this.rows
      .filter((r) => typeof r.metrics[this.shownMetric] === 'number')
      .map((r) => ({ t: Date.parse(r.startedAt), value: r.metrics[this.shownMetric]!, label: r.label ?? r.id, selected: this.selected.includes(r.id) }))
      .sort((a, b) => a.t - b.t),
  );
  distributions = $derived.by(() => {
    const byDevice: Record<string, number[]> = {};
    const shown = this.rows.map((r) => r.id);
    for (const run of this.benchRecords.filter((r) => shown.includes(r.id))) {
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
      this.error = humanError(error);
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
      this.error = `Device list unavailable: ${humanError(error)}`;
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
