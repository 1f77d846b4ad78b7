// Streaming error of one tensor, quantized against float, over many samples: the figures a
// user reads to tell rounding noise (rmse/scale ≈ 0.289) from clipping (saturation) and from a
// range too wide for the values (few integer levels used).
import type { Tensor } from '../graph/model-graph';
import type { TensorError } from './types';

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

export class TensorErrorAccumulator {
  private signal = 0;
  private noise = 0;
  private cosineSum = 0;
  private maxAbs = 0;
  private samples = 0;
  private values = 0;
  private clipped = 0;
  private readonly used: Uint8Array | undefined;

  constructor(private readonly grid?: Grid) {
    this.used = grid ? new Uint8Array(grid.qmax - grid.qmin + 1) : undefined;
  }

  add(reference: Float32Array, test: Float32Array): void {
    const n = Math.min(reference.length, test.length);
    let dot = 0;
    let rr = 0;
    let tt = 0;
    for (let i = 0; i < n; i++) {
      const r = reference[i]!;
      const t = test[i]!;
      const d = r - t;
      this.signal += r * r;
      this.noise += d * d;
      if (Math.abs(d) > this.maxAbs) this.maxAbs = Math.abs(d);
      dot += r * t;
      rr += r * r;
      tt += t * t;
    }
    this.cosineSum += rr === 0 && tt === 0 ? 1 : rr === 0 || tt === 0 ? 0 : dot / Math.sqrt(rr * tt);
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

  result(): TensorError {
    const out: TensorError = {
      sqnrDb: this.noise === 0 ? Infinity : this.signal === 0 ? -Infinity : 10 * Math.log10(this.signal / this.noise),
      cosine: this.samples ? this.cosineSum / this.samples : NaN,
      maxAbsError: this.maxAbs,
    };
    if (this.grid && this.used && this.values) {
      out.rmseOverScale = Math.sqrt(this.noise / this.values) / this.grid.scale;
      out.saturation = this.clipped / this.values;
      out.levelsUsed = this.used.reduce((n, v) => n + v, 0) / this.used.length;
    }
    return out;
  }
}
