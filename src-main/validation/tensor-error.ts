// Streaming error of one tensor (the debugger's figures), quantized against float, over many samples: the figures a
// user reads to tell rounding noise (rmse/scale ≈ 0.289) from clipping (saturation) and from a
// range too wide for the values (few integer levels used).
import type { Tensor } from '../graph/model-graph';
import type { TensorError } from './layers';
import { cosineSimilarity, ErrorAccumulator } from './sqnr';

/** SQNR, cosine and max error, plus (for a tensor on an integer grid) where its values fall on the grid. */
export interface TensorErrorDetail extends TensorError {
  /** RMS error divided by the tensor's scale: ≈0.289 (1/√12) is pure rounding noise. */
  rmseOverScale?: number;
  /** Fraction of the float values outside the representable range (clipped). */
  saturation?: number;
  /** Fraction of the integer levels the values actually used (e.g. 2 of 256 → 0.0078). */
  levelsUsed?: number;
}

const LEVELS: Record<string, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767] };

/** The integer grid of a per-tensor quantized activation, when it has one. */
export interface Grid {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

export function gridOf(tensor: Tensor | undefined): Grid | undefined {
  const q = tensor?.quant;
  const levels = tensor ? LEVELS[tensor.dtype] : undefined;
  if (!q || !levels || q.scale.length !== 1 || !(q.scale[0]! > 0)) return undefined;
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0, qmin: levels[0], qmax: levels[1] };
}

/** The engine's SQNR accumulator plus what a quantized tensor's grid tells: cosine, rmse/scale, clipping, levels used. */
export class TensorErrorAccumulator extends ErrorAccumulator {
  private cosineSum = 0;
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
    this.cosineSum += cosineSimilarity(reference.subarray(0, n), test.subarray(0, n));
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

  result(): TensorErrorDetail {
    const out: TensorErrorDetail = { sqnrDb: this.sqnrDb, cosine: this.samples ? this.cosineSum / this.samples : NaN, maxAbsError: this.maxAbsError };
    if (this.grid && this.used && this.values) {
      out.rmseOverScale = Math.sqrt(this.noise / this.values) / this.grid.scale;
      out.saturation = this.clipped / this.values;
      out.levelsUsed = this.used.reduce((n, v) => n + v, 0) / this.used.length;
    }
    return out;
  }
}
