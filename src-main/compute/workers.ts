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
