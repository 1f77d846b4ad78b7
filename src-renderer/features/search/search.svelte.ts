// Search page state: the form (model, budget, candidates, board, data), the running search job
// and the candidates measured so far (each drawn as it arrives), then the search's result. One
// instance for the app's lifetime (`searchState`), so leaving the page and coming back keeps the
// form, the running search and its candidates.
import { humanError } from '../../lib/human-error';
import { api } from '../../lib/api';
import { startJob, type JobHandle } from '../../lib/jobs';
import type { CandidateKind } from '../../../src-main/search/candidates';
import type { DetectorFix } from '../../../src-main/quantize/detector/apply';
import type { MeasuredCandidate } from '../../../src-main/search/types';
import type { ProjectSearchResult, SearchJobProgress } from '../../../src-main/search/api-contract';
import { currentProject } from '../projects/current.svelte';
import { budgetText, CANDIDATES, METRICS, type BudgetMetric } from './options';
import { paretoIds, recommendedOf, toPoint } from './points';

export type SearchStatus = 'idle' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export class SearchState {
  model = $state<string | null>(null);
  calibration = $state('');
  preprocess = $state('0..1');
  /** Held-out data; empty: 20% of the calibration data is held out. */
  data = $state('');
  labels = $state('');
  metric = $state<BudgetMetric>('sqnr');
  threshold = $state(30);
  /** One output's SQNR only (empty: every output). */
  output = $state('');
  kinds = $state<Record<CandidateKind, boolean>>(Object.fromEntries(CANDIDATES.map((c) => [c.kind, c.byDefault])) as Record<CandidateKind, boolean>);
  device = $state('local');
  /** A detector's fix for every candidate ('none': the model as it is). */
  detectorFix = $state<DetectorFix>('none');
  devices = $state<string[]>([]);
  #project: string | null = null;

  status = $state<SearchStatus>('idle');
  stage = $state('');
  done = $state(0);
  total = $state(0);
  #etaEndsAt = $state<number | null>(null);
  now = $state(Date.now());
  candidates = $state<MeasuredCandidate[]>([]);
  result = $state<ProjectSearchResult | null>(null);
  error = $state<string | null>(null);
  /** The budget the shown candidates were measured against. */
  searchedBudget = $state('');
  #handle: JobHandle<'project-search'> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;

  running = $derived(this.status === 'running');
  metricInfo = $derived(METRICS.find((m) => m.metric === this.metric)!);
  budget = $derived(budgetText(this.metric, this.threshold, this.output));
  chosenKinds = $derived(CANDIDATES.map((c) => c.kind).filter((k) => this.kinds[k]));
  /** Why Start is not available yet, in a few words (null when it is). */
  missing = $derived(
    !currentProject.dir ? 'open a project' : !this.model ? 'pick a model' : !this.calibration.trim() ? 'give calibration data (int8 candidates and the layer ranking need it)' : !this.chosenKinds.length ? 'tick at least one candidate' : !Number.isFinite(this.threshold) ? 'give a threshold' : null,
  );
  canStart = $derived(!!currentProject.dir && !!this.model && !!this.calibration.trim() && this.chosenKinds.length > 0 && Number.isFinite(this.threshold) && !this.running);
  points = $derived(this.candidates.map(toPoint));
  pareto = $derived<string[]>(this.result ? this.result.pareto : paretoIds(this.candidates));
  recommended = $derived(this.result ? (this.result.recommended ?? null) : (recommendedOf(this.candidates) ?? null));
  etaSeconds = $derived(this.running && this.#etaEndsAt !== null ? Math.max(0, Math.round((this.#etaEndsAt - this.now) / 1000)) : null);

  /** Defaults from the open project: its first model and calibration set, the demo's held-out digits. */
  fillFromProject(): void {
    const view = currentProject.view;
    if (!view) return;
    const models = view.manifest.models.map((m) => currentProject.resolve(m.path));
    if (this.#project !== view.dir || !this.model || !models.includes(this.model)) {
      const fresh = this.#project !== view.dir;
      this.#project = view.dir;
      this.model = models[0] ?? null;
      if (fresh) {
        const set = view.manifest.calibrationSets[0];
        this.calibration = set ? currentProject.resolve(set.path) : '';
        if (set?.preprocess) this.preprocess = set.preprocess;
        const demo = view.manifest.name === 'MNIST demo';
        this.data = demo ? currentProject.resolve('eval/x.npy') : '';
        this.labels = demo ? currentProject.resolve('eval/labels.npy') : '';
      }
    }
  }

  async loadDevices(): Promise<void> {
    try {
      this.devices = (await api.devices.list()).map((d) => d.name);
    } catch (error) {
      this.error = humanError(error);
    }
  }

  pickMetric(metric: BudgetMetric): void {
    this.metric = metric;
    this.threshold = METRICS.find((m) => m.metric === metric)!.defaultThreshold;
  }

  async start(): Promise<void> {
    const project = currentProject.dir;
    const model = this.model;
    if (!project || !model || !this.canStart) return;
    this.status = 'running';
    this.stage = 'starting';
    this.done = this.total = 0;
    this.#etaEndsAt = null;
    this.candidates = [];
    this.result = null;
    this.error = null;
    this.searchedBudget = this.budget;
    this.#timer = setInterval(() => (this.now = Date.now()), 1000);
    const data = this.data.trim();
    const labels = this.labels.trim();
    try {
      this.#handle = await startJob(
        'project-search',
        {
          project,
          model,
          calibration: { path: this.calibration.trim(), preprocess: this.preprocess },
          ...(data ? { data } : {}),
          ...(data && labels ? { labels } : {}),
          budget: this.budget,
          kinds: this.chosenKinds,
          device: this.device,
          ...(this.detectorFix !== 'none' ? { detectorFix: this.detectorFix } : {}),
        },
        (p) => this.#progress(p),
      );
    } catch (error) {
      this.#finish('failed', humanError(error));
      return;
    }
    const done = await this.#handle.done;
    if (done.status === 'succeeded' && done.result) this.result = done.result;
    this.#finish(done.status, done.error ? humanError(new Error(done.error.message)) : null);
  }

  async cancel(): Promise<void> {
    if (this.running) await this.#handle?.cancel();
  }

  #progress(p: SearchJobProgress): void {
    if (p.candidate) {
      this.candidates = [...this.candidates, p.candidate];
      return;
    }
    this.stage = p.stage;
    if (p.total !== undefined) this.total = p.total;
    if (p.done !== undefined) this.done = p.done;
    this.#etaEndsAt = p.etaMs !== undefined ? Date.now() + p.etaMs : null;
  }

  #finish(status: SearchStatus, error: string | null): void {
    clearInterval(this.#timer);
    this.status = status;
    this.error = status === 'cancelled' ? null : error;
    this.#handle = null;
    // Measured candidates are runs of the project: History shows them.
    if (this.candidates.length) void currentProject.refresh();
  }
}

export const searchState = new SearchState();
