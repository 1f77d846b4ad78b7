// Streaming error of one tensor, quantized against float, over many samples: the engine's one
// per-tensor accumulator (the debugger, the per-layer comparison). Besides SQNR, cosine and max
// error, the figures a user reads to tell rounding noise (rmse/scale ≈ 0.289) from clipping
// (saturation) and from a range too wide for the values (few integer levels used). Every part is
// a per-sample sum (exact), a max, a count or a set of levels, so accumulators filled in
// several threads merge into exactly one accumulator's figures.
import { activationCodes } from '../graph/integer-codes';
import type { Tensor } from '../graph/model-graph';
import { ExactSum, type ExactSumState } from './exact-sum';
import { cosineSimilarity, ErrorAccumulator, type ErrorState } from './sqnr';

export interface TensorError {
  sqnrDb: number;
  /** Mean over samples of cos(float, quantized). */
  cosine: number;
  maxAbsError: number;
}

/** SQNR, cosine and max error, plus (for a tensor on an integer grid) where its values fall on the grid. */
export interface TensorErrorDetail extends TensorError {
  /** RMS error divided by the tensor's scale: ≈0.289 (1/√12) is pure rounding noise. */
  rmseOverScale?: number;
  /** Fraction of the float values outside the representable range (clipped). */
  saturation?: number;
  /** Fraction of the integer levels the values actually used (e.g. 2 of 256 → 0.0078). */
  levelsUsed?: number;
}

/** The integer grid of a per-tensor quantized activation, when it has one. */
export interface Grid {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

export function gridOf(tensor: Tensor | undefined): Grid | undefined {
  const q = tensor?.quant;
  const levels = tensor ? activationCodes(tensor.dtype) : undefined;
  if (!q || !levels || q.scale.length !== 1 || !(q.scale[0]! > 0)) return undefined;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0, qmin: levels[0], qmax: levels[1] };
}

/** What a TensorErrorAccumulator holds, for sending to another thread and merging there. */
export interface TensorErrorState extends ErrorState {
  cosine: ExactSumState;
  samples: number;
  values: number;
  clipped: number;
  /** One byte per grid level: 1 where a value fell. */
  used?: Uint8Array;
}

/** The engine's SQNR accumulator plus cosine and, on a quantized tensor's grid, rmse/scale, clipping and levels used. */
export class TensorErrorAccumulator extends ErrorAccumulator {
  private readonly cosineSum = new ExactSum();
  private samples = 0;
  private values = 0;
  private clipped = 0;
  private readonly used: Uint8Array | undefined;

  constructor(private readonly grid?: Grid) {
    super();
    this.used = grid ? new Uint8Array(grid.qmax - grid.qmin + 1) : undefined;
  }

  override add(reference: Float32Array, test: Float32Array): void {
    const n = Math.min(reference.length, test.length);
    super.add(reference.subarray(0, n), test.subarray(0, n));
    this.cosineSum.add(cosineSimilarity(reference.subarray(0, n), test.subarray(0, n)));
    this.samples++;
    this.values += n;
    const grid = this.grid;
    if (grid && this.used) {
      // Saturation and levels are properties of where the float values fall on the grid.
      const low = (grid.qmin - grid.zeroPoint) * grid.scale;
      const high = (grid.qmax - grid.zeroPoint) * grid.scale;
      for (let i = 0; i < n; i++) {
        const r = reference[i]!;
        if (r < low - grid.scale / 2 || r > high + grid.scale / 2) this.clipped++;
        const q = Math.min(grid.qmax, Math.max(grid.qmin, Math.round(r / grid.scale) + grid.zeroPoint));
        this.used[q - grid.qmin] = 1;
      }
    }
  }

  get count(): number {
    return this.samples;
  }

  state(): TensorErrorState {
    return { ...this.errorState(), cosine: this.cosineSum.state(), samples: this.samples, values: this.values, clipped: this.clipped, ...(this.used ? { used: this.used.slice() } : {}) };
  }

  /** Adds what another accumulator of the same tensor (same grid) saw. */
  merge(state: TensorErrorState): void {
    if ((state.used?.length ?? 0) !== (this.used?.length ?? 0)) throw new RangeError(`Cannot merge error statistics of different grids (${state.used?.length ?? 0} vs ${this.used?.length ?? 0} levels).`);
    this.mergeError(state);
    this.cosineSum.merge(state.cosine);
    this.samples += state.samples;
    this.values += state.values;
    this.clipped += state.clipped;
    if (this.used && state.used) for (let i = 0; i < this.used.length; i++) this.used[i]! |= state.used[i]!;
  }

  result(): TensorErrorDetail {
    const out: TensorErrorDetail = { sqnrDb: this.sqnrDb, cosine: this.samples ? this.cosineSum.value / this.samples : NaN, maxAbsError: this.maxAbsError };
    if (this.grid && this.used && this.values) {
      out.rmseOverScale = Math.sqrt(this.noise / this.values) / this.grid.scale;
      out.saturation = this.clipped / this.values;
      out.levelsUsed = this.used.reduce((n, v) => n + v, 0) / this.used.length;
    }
    return out;
  }
}
