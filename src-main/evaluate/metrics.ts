// Streaming comparison metrics of a quantized model's outputs against the float model's:
// SQNR (pooled over samples), mean cosine similarity, max abs error, top-1 agreement and label
// accuracy for classification outputs.

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
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function sqnrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - test[i]!) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
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

/** A score vector per sample: [1, K] or [K] with 2 ≤ K. */
export function isClassification(shape: number[]): boolean {
  const k = shape.at(-1) ?? 0;
  return k >= 2 && shape.slice(0, -1).every((d) => d === 1);
}

export class OutputComparison {
  private signal = 0;
  private noise = 0;
  private cosineSum = 0;
  private maxAbs = 0;
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
    for (let i = 0; i < reference.length; i++) {
      const d = reference[i]! - test[i]!;
      this.signal += reference[i]! ** 2;
      this.noise += d * d;
      if (Math.abs(d) > this.maxAbs) this.maxAbs = Math.abs(d);
    }
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
      sqnrDb: this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise),
      cosine: this.count ? this.cosineSum / this.count : NaN,
      maxAbsError: this.maxAbs,
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
