// A streaming histogram over [-R, R) whose range doubles (merging bin pairs exactly) when a
// value falls outside, so one pass over the samples is enough for percentile and MSE search.
const MAX_VALUES_PER_ADD = 1 << 16;

function subsample(values: Float32Array, stride: number, offset: number): Float32Array {
  const out = new Float32Array(Math.floor((values.length - offset - 1) / stride) + 1);
  for (let i = 0, j = offset; i < out.length; i++, j += stride) out[i] = values[j]!;
  return out;
}

export class StreamingHistogram {
  readonly bins: Float64Array;
  private calls = 0;
  /** Half-width of the covered range; 0 until the first non-zero value. */
  range = 0;
  total = 0;

  constructor(readonly binCount = 2048) {
    if (binCount % 4 !== 0) throw new RangeError('binCount must be a multiple of 4');
    this.bins = new Float64Array(binCount);
  }

  private grow(to: number): void {
    if (this.range === 0) {
      this.range = 2 ** Math.ceil(Math.log2(to * 1.0001 || 1e-30));
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

  /**
   * Adds values. Large tensors are subsampled with a stride (rotating offset) to bound the cost;
   * `peak` (max |v| of all values, when the caller has it) still sets the range exactly.
   */
  add(all: Float32Array, peak?: number): void {
    const stride = Math.max(1, Math.floor(all.length / MAX_VALUES_PER_ADD));
    const values = stride === 1 ? all : subsample(all, stride, this.calls++ % stride);
    if (peak === undefined) {
      peak = 0;
      for (let k = 0; k < values.length; k++) {
        const a = Math.abs(values[k]!);
        if (a > peak) peak = a;
      }
    }
    if (peak >= this.range) this.grow(peak);
    if (this.range === 0) {
      this.bins[this.binCount / 2]! += values.length; // all zeros
      this.total += values.length;
      return;
    }
    const scale = this.binCount / (2 * this.range);
    const last = this.binCount - 1;
    for (let k = 0; k < values.length; k++) {
      const i = Math.floor((values[k]! + this.range) * scale);
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
