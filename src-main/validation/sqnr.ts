// The one SQNR definition of the engine (quantizer report, evaluation, board comparisons, the
// debugger): 10·log10(Σ ref² / Σ (ref − test)²), pooled over every value given; Infinity when
// identical. The sums are exact (exact-sum.ts), so accumulators filled in different threads merge
// into exactly the figures one accumulator would give.
import { ExactSum, type ExactSumState } from './exact-sum';

/** SQNR in dB from the pooled signal and noise powers. */
export function sqnrFromPowers(signal: number, noise: number): number {
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** What an ErrorAccumulator holds, for sending to another thread and merging there. */
export interface ErrorState {
  signal: ExactSumState;
  noise: ExactSumState;
  maxAbsError: number;
}

/**
 * Streaming signal / noise / max abs error over any number of (reference, test) pairs. Each
 * `add` sums its pair in double precision, then adds that partial exactly: the result depends
 * only on which pairs were added, not on their order or on how they were split and merged.
 */
export class ErrorAccumulator {
  readonly #signal = new ExactSum();
  readonly #noise = new ExactSum();
  maxAbsError = 0;

  add(reference: ArrayLike<number>, test: ArrayLike<number>): void {
    let signal = 0;
    let noise = 0;
    let max = this.maxAbsError;
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      const d = r - test[i]!;
      signal += r * r;
      noise += d * d;
      if (Math.abs(d) > max) max = Math.abs(d);
    }
    this.#signal.add(signal);
    this.#noise.add(noise);
    this.maxAbsError = max;
  }

  get signal(): number {
    return this.#signal.value;
  }

  get noise(): number {
    return this.#noise.value;
  }

  get sqnrDb(): number {
    return sqnrFromPowers(this.signal, this.noise);
  }

  errorState(): ErrorState {
    return { signal: this.#signal.state(), noise: this.#noise.state(), maxAbsError: this.maxAbsError };
  }

  mergeError(state: ErrorState): void {
    this.#signal.merge(state.signal);
    this.#noise.merge(state.noise);
    if (state.maxAbsError > this.maxAbsError) this.maxAbsError = state.maxAbsError;
  }
}

/** Signal-to-quantization-noise ratio in dB of `test` against `reference`. */
export function sqnrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  const acc = new ErrorAccumulator();
  acc.add(reference, test);
  return acc.sqnrDb;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  if (na === 0 && nb === 0) return 1;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
