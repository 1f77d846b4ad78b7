// The UI's view of jobs: running and recently finished, updated from the contract's job events.
// The shell shows it in the navigation frame; pages may read it too.
import type { ApiEvents, JobInfo, JobKind, JobStatus } from '../../src-main/api/contract';
import { api as defaultApi, type Api } from './api';

export interface JobView {
  id: string;
  kind: JobKind;
  /** What it does ("Quantize vww to int8"). */
  title: string;
  status: JobStatus;
  /** e.g. "calibrate 50%" from the job's last progress report. */
  detail: string;
  /** 0..1 when the job reported a fraction. */
  fraction: number | null;
  error: string | null;
}

const KEEP_FINISHED = 5;

/** A job's last progress report, typed by its kind (every kind's has a stage). */
type JobProgress = ApiEvents['job.progress']['progress'];

function describe(progress: JobProgress | undefined): { detail: string; fraction: number | null } {
  if (!progress) return { detail: '', fraction: null };
  const reported = 'fraction' in progress ? progress.fraction : undefined;
  const fraction = reported !== undefined && Number.isFinite(reported) ? Math.min(1, Math.max(0, reported)) : null;
  const parts = [progress.stage, fraction !== null ? `${Math.round(fraction * 100)}%` : ''];
  return { detail: parts.filter(Boolean).join(' '), fraction };
}

export class RunningJobs {
  jobs = $state<JobView[]>([]);
  running = $derived(this.jobs.filter((j) => j.status === 'running').length);
  finished = $derived(this.jobs.length - this.running);
  readonly #api: Api;

  constructor(api: Api = defaultApi) {
    this.#api = api;
    api.on('job.progress', (e) => this.#progress(e));
    api.on('job.done', (e) => this.#done(e));
  }

  /** Loads the jobs the host already runs (e.g. after a reload). */
  async refresh(): Promise<void> {
    const list: JobInfo[] = await this.#api.jobs.list();
    for (const info of list) {
      if (this.jobs.some((j) => j.id === info.id)) continue;
      this.jobs.push({ id: info.id, kind: info.kind, title: info.title, status: info.status, ...describe(info.progress), error: info.error?.message ?? null });
    }
    this.#trim();
  }

  async cancel(id: string): Promise<void> {
    await this.#api.jobs.cancel({ jobId: id });
  }

  dismiss(id: string): void {
    this.jobs = this.jobs.filter((j) => j.id !== id || j.status === 'running');
  }

  /** Removes every finished job from the list (running ones stay). */
  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.status === 'running');
  }

  #progress(event: ApiEvents['job.progress']): void {
    const view = this.jobs.find((j) => j.id === event.jobId);
    const described = describe(event.progress);
    if (view) Object.assign(view, described);
    else this.jobs.push({ id: event.jobId, kind: event.kind, title: event.title, status: 'running', ...described, error: null });
  }

  #done(event: ApiEvents['job.done']): void {
    let view = this.jobs.find((j) => j.id === event.jobId);
    if (!view) {
      this.jobs.push({ id: event.jobId, kind: event.kind, title: event.title, status: event.status, detail: '', fraction: null, error: null });
      view = this.jobs.at(-1)!;
    }
    view.status = event.status;
    view.error = event.error?.message ?? null;
    if (event.status === 'succeeded') view.fraction = 1;
    this.#trim();
  }

  #trim(): void {
    const finished = this.jobs.filter((j) => j.status !== 'running');
    const drop = finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)).map((j) => j.id);
    if (drop.length) this.jobs = this.jobs.filter((j) => !drop.includes(j.id));
  }
}
