// The one SQNR definition of the engine (quantizer report, evaluation, board comparisons):
// 10·log10(Σ ref² / Σ (ref − test)²), pooled over every value given; Infinity when identical.

/** Streaming signal / noise / max abs error over any number of (reference, test) pairs. */
export class ErrorAccumulator {
  signal = 0;
  noise = 0;
  maxAbsError = 0;

  add(reference: ArrayLike<number>, test: ArrayLike<number>): void {
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      const d = r - test[i]!;
      this.signal += r * r;
      this.noise += d * d;
      if (Math.abs(d) > this.maxAbsError) this.maxAbsError = Math.abs(d);
    }
  }

  get sqnrDb(): number {
    return this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
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
