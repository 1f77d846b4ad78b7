// Streaming comparison metrics of a quantized model's outputs against the float model's:
// SQNR (pooled over samples), mean cosine similarity, max abs error, top-1 agreement and label
// accuracy for classification outputs. SQNR and cosine are the validation module's.
import { cosineSimilarity, ErrorAccumulator } from '../validation/sqnr';

export { cosineSimilarity, sqnrDb } from '../validation/sqnr';

export interface OutputMetrics {
  name: string;
  shape: number[];
  samples: number;
  /** 10·log10(Σ ref² / Σ (ref − quant)²) over all samples; Infinity when identical. */
  sqnrDb: number;
  /** Mean over samples of cos(ref, quant). */
  cosine: number;
  maxAbsError: number;
  /** Classification outputs only (a score vector per sample). */
  top1Agreement?: number;
  floatAccuracy?: number;
  quantAccuracy?: number;
  labelled?: number;
  /**
   * A detector output's groups (`X_boxes`, `X_scores`: a `--detector-fix split` file's outputs,
   * or the groups of its concatenated output), each compared on its own: joined, the boxes'
   * pixels fill the signal power and hide the scores.
   */
  parts?: OutputMetrics[];
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** A score vector per sample: [1, K] or [K] with 2 ≤ K. */
export function isClassification(shape: number[]): boolean {
  const k = shape.at(-1) ?? 0;
  return k >= 2 && shape.slice(0, -1).every((d) => d === 1);
}

export class OutputComparison {
  private readonly error = new ErrorAccumulator();
  private cosineSum = 0;
  private count = 0;
  private agree = 0;
  private labelled = 0;
  private floatCorrect = 0;
  private quantCorrect = 0;

  private readonly classification: boolean;

  /** `classification` defaults to the shape test; pass false for e.g. autoencoder outputs. */
  constructor(
    readonly name: string,
    readonly shape: number[],
    classification = isClassification(shape),
  ) {
    this.classification = classification;
  }

  add(reference: Float32Array, test: Float32Array, label?: number): void {
    if (reference.length !== test.length) throw new RangeError(`output '${this.name}': ${reference.length} vs ${test.length} values`);
    this.error.add(reference, test);
    this.cosineSum += cosineSimilarity(reference, test);
    this.count++;
    if (this.classification) {
      const a = argmax(reference);
      const b = argmax(test);
      if (a === b) this.agree++;
      if (label !== undefined) {
        this.labelled++;
        if (a === label) this.floatCorrect++;
        if (b === label) this.quantCorrect++;
      }
    }
  }

  result(): OutputMetrics {
    const out: OutputMetrics = {
      name: this.name,
      shape: this.shape,
      samples: this.count,
      sqnrDb: this.error.sqnrDb,
      cosine: this.count ? this.cosineSum / this.count : NaN,
      maxAbsError: this.error.maxAbsError,
    };
    if (this.classification && this.count) {
      out.top1Agreement = this.agree / this.count;
      if (this.labelled) {
        out.labelled = this.labelled;
        out.floatAccuracy = this.floatCorrect / this.labelled;
        out.quantAccuracy = this.quantCorrect / this.labelled;
      }
    }
    return out;
  }
}

/** Median and p90 of latencies in ms (nearest-rank). */
export function latencySummary(ms: number[]): { median: number; p90: number; min: number; runs: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { median: rank(0.5), p90: rank(0.9), min: sorted[0] ?? NaN, runs: sorted.length };
}
