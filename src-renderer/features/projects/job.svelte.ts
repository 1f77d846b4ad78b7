// Follows one job: progress (stage, fraction, ETA), a live log, and the final result or error.
import { humanError } from '../../lib/human-error';
import { api, ApiError } from '../../lib/api';
import type { ApiEvents, JobStartRequest } from '../../../src-main/api/contract';

/** Rough share of the total time per stage, for one progress bar across stages. */
const STAGE_WEIGHTS: Record<string, number> = {
  start: 0.01, import: 0.07, passes: 0.04, calibrate: 0.3, quantize: 0.08, write: 0.04, validate: 0.06, evaluate: 0.4,
};
const ORDER = Object.keys(STAGE_WEIGHTS);
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

interface ProgressPayload {
  stage?: string;
  fraction?: number;
  message?: string;
  log?: string;
}

export class JobState<R = unknown> {
  id = $state<string | null>(null);
  status = $state<'idle' | 'running' | 'succeeded' | 'failed' | 'cancelled'>('idle');
  stage = $state('');
  message = $state('');
  fraction = $state(0);
  startedAt = $state(0);
  now = $state(0);
  log = $state<string[]>([]);
  result = $state<R | null>(null);
  error = $state<string | null>(null);
  running = $derived(this.status === 'running');
  /** When the current stage started, its own 0..1 progress, and when that estimate ends. */
  stageStartedAt = $state(0);
  stageFraction = $state<number | null>(null);
  #stageEndsAt = $state<number | null>(null);
  /**
   * Seconds left in the current stage, from that stage's own rate; it only counts down within
   * a stage (never grows) and is null when the stage reports no fraction or too little to judge.
   * Whole-job ETAs mislead: stages run at very different rates.
   */
  etaSeconds = $derived.by(() => {
    if (!this.running || this.#stageEndsAt === null) return null;
    return Math.max(0, Math.round((this.#stageEndsAt - this.now) / 1000));
  });
  #stop: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #onDone: ((result: R) => void) | undefined;

  async start(request: JobStartRequest, onDone?: (result: R) => void): Promise<void> {
    this.#cleanup();
    this.status = 'running';
    this.stage = 'starting';
    this.message = '';
    this.fraction = 0;
    this.log = [];
    this.result = null;
    this.error = null;
    this.startedAt = this.now = this.stageStartedAt = Date.now();
    this.stageFraction = null;
    this.#stageEndsAt = null;
    this.#onDone = onDone;
    this.#timer = setInterval(() => (this.now = Date.now()), 500);
    // Events that arrive before jobs.start answers (a very fast job) are replayed once the id is known.
    const early: (() => void)[] = [];
    this.#stop.push(
      api.on('job.progress', (e) => {
        if (this.id === null) early.push(() => e.jobId === this.id && this.#progress(e.progress as ProgressPayload));
        else if (e.jobId === this.id) this.#progress(e.progress as ProgressPayload);
      }),
      api.on('job.done', (e) => {
        if (this.id === null) {
          early.push(() => this.#done(e));
          return;
        }
        this.#done(e);
      }),
    );
    try {
      this.id = (await api.jobs.start(request)).jobId;
      for (const replay of early) replay();
    } catch (error) {
      this.status = 'failed';
      this.error = humanError(error);
      this.#cleanup();
    }
  }

  #done(e: ApiEvents['job.done']): void {
    if (e.jobId !== this.id) return;
    this.status = e.status;
    if (e.status === 'succeeded') {
      this.fraction = 1;
      this.result = e.result as R;
      this.#onDone?.(e.result as R);
    } else this.error = e.error ? humanError(new ApiError(e.error)) : e.status;
    this.#cleanup();
  }

  async cancel(): Promise<void> {
    if (this.id && this.running) await api.jobs.cancel({ jobId: this.id });
  }

  #progress(p: ProgressPayload): void {
    if (p.log) this.log = [...this.log, p.log];
    if (!p.stage) return;
    if (p.stage !== this.stage && !p.log) this.log = [...this.log, `${TIME.format(Date.now())} ${p.stage}${p.message ? `: ${p.message}` : ''}`];
    const now = Date.now();
    if (p.stage !== this.stage) {
      this.stageStartedAt = now;
      this.stageFraction = null;
      this.#stageEndsAt = null;
    }
    this.stage = p.stage;
    this.message = p.message ?? '';
    if (typeof p.fraction === 'number' && p.fraction > (this.stageFraction ?? 0)) {
      this.stageFraction = p.fraction;
      const elapsed = now - this.stageStartedAt;
      const end = p.fraction >= 0.05 && p.fraction < 1 && elapsed >= 500 ? now + (elapsed * (1 - p.fraction)) / p.fraction : null;
      // Within a stage the estimate only moves earlier: a slower stretch shows "finishing"
      // rather than an estimate that climbs while the user watches.
      if (end !== null) this.#stageEndsAt = this.#stageEndsAt === null ? end : Math.min(this.#stageEndsAt, end);
    }
    const k = ORDER.indexOf(p.stage);
    if (k >= 0) {
      const before = ORDER.slice(0, k).reduce((a, s) => a + STAGE_WEIGHTS[s]!, 0);
      this.fraction = Math.max(this.fraction, Math.min(0.99, before + STAGE_WEIGHTS[p.stage]! * (p.fraction ?? 0)));
    } else if (typeof p.fraction === 'number') this.fraction = Math.max(this.fraction, Math.min(0.99, p.fraction));
  }

  #cleanup(): void {
    for (const stop of this.#stop) stop();
    this.#stop = [];
    clearInterval(this.#timer);
  }
}
