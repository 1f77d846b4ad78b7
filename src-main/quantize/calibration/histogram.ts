// A streaming histogram over [-R, R) whose range doubles (merging bin pairs exactly) when a
// value falls outside, so one pass over the samples is enough for percentile and MSE search.
const MAX_VALUES_PER_ADD = 1 << 16;

function subsample(values: Float32Array, stride: number, offset: number): Float32Array {
  const out = new Float32Array(Math.floor((values.length - offset - 1) / stride) + 1);
  for (let i = 0, j = offset; i < out.length; i++, j += stride) out[i] = values[j]!;
  return out;
}

/** A histogram's state, to send between threads and merge. */
export interface HistogramState {
  bins: Float64Array;
  range: number;
  total: number;
}

/**
 * The range is always the smallest power of two above the largest |value| seen, and a value's
 * bin is floor(v·scale + half) (exact for float32 values and power-of-two scales), so the bins
 * do not depend on the order the values came in: histograms of disjoint sample sets merge into
 * exactly the histogram of all of them (calibration split across workers).
 */
export class StreamingHistogram {
  readonly bins: Float64Array;
  /** Half-width of the covered range; 0 until the first non-zero value. */
  range = 0;
  total = 0;

  constructor(readonly binCount = 2048) {
    if (binCount % 4 !== 0) throw new RangeError('binCount must be a multiple of 4');
    this.bins = new Float64Array(binCount);
  }

  static from(state: HistogramState): StreamingHistogram {
    const h = new StreamingHistogram(state.bins.length);
    h.bins.set(state.bins);
    h.range = state.range;
    h.total = state.total;
    return h;
  }

  state(): HistogramState {
    return { bins: Float64Array.from(this.bins), range: this.range, total: this.total };
  }

  /** Grows the range to the smallest power of two above `to`. */
  private grow(to: number): void {
    if (this.range === 0) {
      let r = 2 ** Math.floor(Math.log2(to || 2 ** -100));
      while (r <= to) r *= 2;
      while (r / 2 > to) r /= 2;
      this.range = r;
      return;
    }
    const half = this.binCount / 2;
    while (this.range <= to) {
      // New bin j covers old bins 2j-half and 2j-half+1 (edges align since half is even).
      const next = new Float64Array(this.binCount);
      for (let i = 0; i < this.binCount; i++) next[(i + half) >> 1]! += this.bins[i]!;
      this.bins.set(next);
      this.range *= 2;
    }
  }

  /** Adds another histogram's counts (the same bin count). */
  merge(other: HistogramState): void {
    if (other.total === 0) return;
    const incoming = StreamingHistogram.from(other);
    if (this.total === 0 && this.range === 0) {
      this.bins.set(incoming.bins);
      this.range = incoming.range;
      this.total = incoming.total;
      return;
    }
    const range = Math.max(this.range, incoming.range);
    if (range > this.range) this.grow(range / 2);
    if (range > incoming.range) incoming.grow(range / 2);
    for (let i = 0; i < this.binCount; i++) this.bins[i]! += incoming.bins[i]!;
    this.total += incoming.total;
  }

  /**
   * Adds values. Large tensors are subsampled with a stride (its offset rotating with
   * `sampleIndex`, so a sample's values are the same whichever worker adds them); `peak`
   * (max |v| of all values, when the caller has it) still sets the range exactly.
   */
  add(all: Float32Array, peak?: number, sampleIndex = 0): void {
    const stride = Math.max(1, Math.floor(all.length / MAX_VALUES_PER_ADD));
    const values = stride === 1 ? all : subsample(all, stride, sampleIndex % stride);
    if (peak === undefined) {
      peak = 0;
      for (let k = 0; k < values.length; k++) {
        const a = Math.abs(values[k]!);
        if (a > peak) peak = a;
      }
    }
    if (peak >= this.range && peak > 0) this.grow(peak);
    if (this.range === 0) {
      this.bins[this.binCount / 2]! += values.length; // all zeros
      this.total += values.length;
      return;
    }
    const scale = this.binCount / (2 * this.range);
    const half = this.binCount / 2;
    const last = this.binCount - 1;
    for (let k = 0; k < values.length; k++) {
      const i = Math.floor(values[k]! * scale + half);
      this.bins[i < 0 ? 0 : i > last ? last : i]! += 1;
    }
    this.total += values.length;
  }

  binWidth(): number {
    return (2 * this.range) / this.binCount;
  }

  /** Lower edge of bin i. */
  edge(i: number): number {
    return -this.range + i * this.binWidth();
  }

  /** Value below which `fraction` of the mass lies (linear inside the bin). */
  quantile(fraction: number): number {
    const target = fraction * this.total;
    let seen = 0;
    for (let i = 0; i < this.binCount; i++) {
      const n = this.bins[i]!;
      if (seen + n >= target && n > 0) return this.edge(i) + ((target - seen) / n) * this.binWidth();
      seen += n;
    }
    return this.range;
  }
}
