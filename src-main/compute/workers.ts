// How many compute workers a run uses: the cores available but one (left for the UI and the
// thread that feeds the workers), at least 1; `--workers N` overrides.
import { availableParallelism } from 'node:os';
import { InputError } from '../errors';

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The count a request asks for, checked; the default when it asks for none. */
export function workerCount(requested: number | undefined): number {
  if (requested === undefined) return defaultWorkerCount();
  if (!Number.isInteger(requested) || requested < 1 || requested > 256) throw new InputError(`--workers ${requested}: expected a whole number from 1 to 256.`);
  return requested;
}

/** A worker costs ~1 s to start (its own TF.js and runtimes): not worth it for a handful of samples. */
export const MIN_SAMPLES_PER_WORKER = 8;

/** The workers worth starting for `samples` samples, at most `requested`. */
export function workersFor(requested: number, samples: number): number {
  return Math.max(1, Math.min(requested, Math.floor(samples / MIN_SAMPLES_PER_WORKER)));
}
