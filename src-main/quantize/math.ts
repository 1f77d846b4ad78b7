// Quantization arithmetic as the TFLite converter does it: float32-rounded scales,
// round-half-away-from-zero, ranges nudged to include zero, symmetric narrow-range weights.
import type { QuantParams } from '../graph/model-graph';
import type { TensorRange } from './qtypes';

export const f32 = Math.fround;

/** std::round semantics (half away from zero), which TFLite uses for weights and bias. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export const INT_LIMITS = {
  int8: { min: -128, max: 127 },
  uint8: { min: 0, max: 255 },
  int16: { min: -32768, max: 32767 },
} as const;

/**
 * Asymmetric params for an activation range (MLIR quant "nudged" scale and zero point):
 * the range is widened to include 0, the zero point is the one with less rounding error.
 */
export function asymmetricParams(range: TensorRange, qmin = -128, qmax = 127): { scale: number; zeroPoint: number } {
  const rmin = Math.min(range.min, 0);
  const rmax = Math.max(range.max, 0);
  if (!(rmax - rmin > Number.EPSILON)) return { scale: 1, zeroPoint: 0 };
  const scale = (rmax - rmin) / (qmax - qmin);
  const zpFromMin = qmin - rmin / scale;
  const zpFromMax = qmax - rmax / scale;
  const errMin = Math.abs(qmin) + Math.abs(rmin / scale);
  const errMax = Math.abs(qmax) + Math.abs(rmax / scale);
  const zp = errMin < errMax ? zpFromMin : zpFromMax;
  return { scale: f32(scale), zeroPoint: clamp(roundHalfAway(zp), qmin, qmax) };
}

/** Symmetric params with zero point 0 (int16 activations): scale = max|x| / qmax. */
export function symmetricParams(range: TensorRange, qmax: number): { scale: number; zeroPoint: number } {
  const m = Math.max(Math.abs(range.min), Math.abs(range.max));
  return { scale: m > 0 ? f32(m / qmax) : 1, zeroPoint: 0 };
}

export function activationQuant(range: TensorRange, dtype: 'int8' | 'int16'): QuantParams {
  const p = dtype === 'int8' ? asymmetricParams(range) : symmetricParams(range, 32767);
  return { scale: [p.scale], zeroPoint: [p.zeroPoint], min: [range.min], max: [range.max] };
}

/** Scale of symmetric int8 weights whose largest magnitude is `absMax`; an all-zero channel gets 1 (not 0) so kernels never divide by zero. */
export function int8WeightScale(absMax: number): number {
  return absMax > 0 ? f32(absMax / 127) : 1;
}

/** The int8 value a weight is stored as at `scale` (symmetric, narrow range ±127). */
export function int8WeightValue(weight: number, scale: number): number {
  return clamp(roundHalfAway(weight / scale), -127, 127);
}

/** How far from an integer w / q may be for w to count as a multiple of q: float32 weights written as k·q, k ≤ 126, are within 2·126·2⁻²⁴. */
const LATTICE_TOLERANCE = 3e-5;

/**
 * A scale that stores `values` (one channel, or a whole tensor) exactly, when they all lie on a
 * lattice: multiples of some q with max|w| / q = n ≤ 126 (the smallest such n is found by trying
 * q = max / n). The scale is q / floor(127 / n), the finest grid that keeps the lattice (0..15
 * at q = 1: scale 1/8, stored 0..120), instead of max / 127, on which the lattice's points mostly
 * fall between two steps (the fixed 0..15 weights of a distribution head, binary or ternary
 * weights times a constant). Undefined when there is no such lattice, or when max / 127 already
 * is one (n = 1 or 127), so ordinary weights keep the converter's scale.
 */
export function int8LatticeScale(values: ArrayLike<number>, absMax: number): number | undefined {
  if (!(absMax > 0)) return undefined;
  // One value off a lattice rules it out: the first nonzero value is tried for every n with a
  // multiply before the exact test (which divides twice). Its product is within 1e-13 of the
  // exact quotient, far inside the 1e-9 margin, so only lattices the exact test would refuse are skipped.
  let witness = 0;
  for (let i = 0; i < values.length && witness === 0; i++) witness = values[i]! / absMax;
  for (let n = 1; n < 127; n++) {
    const x = witness * n;
    if (Math.abs(x - Math.round(x)) > LATTICE_TOLERANCE + 1e-9) continue;
    const q = absMax / n;
    let onLattice = true;
    for (let i = 0; i < values.length && onLattice; i++) {
      const k = values[i]! / q;
      onLattice = Math.abs(k - Math.round(k)) <= LATTICE_TOLERANCE;
    }
    if (onLattice) return n === 1 ? undefined : f32(q / Math.floor(127 / n));
  }
  return undefined;
}

/** Per-channel max |w| along `axis` (or one value for the whole tensor when axis is undefined). */
export function absMaxByChannel(data: Float32Array, shape: readonly number[], axis?: number): Float64Array {
  if (axis === undefined) {
    let m = 0;
    for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]!));
    return Float64Array.of(m);
  }
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(channels);
  // Runs of `inner` values share a channel; the channel cycles run by run (no division per value).
  for (let start = 0, c = 0; start < data.length; start += inner, c = c + 1 === channels ? 0 : c + 1) {
    let m = out[c]!;
    for (let i = start, end = Math.min(start + inner, data.length); i < end; i++) {
      const v = Math.abs(data[i]!);
      if (v > m) m = v;
    }
    out[c] = m;
  }
  return out;
}

/** Channel c's values along `axis` (all of `data` when axis is undefined). */
function channelValues(data: Float32Array, shape: readonly number[], axis: number | undefined, c: number): Float32Array {
  if (axis === undefined) return data;
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (channels * inner);
  if (outer === 1) return data.subarray(c * inner, (c + 1) * inner); // the channel is one run: read in place
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) out.set(data.subarray((o * channels + c) * inner, (o * channels + c + 1) * inner), o * inner);
  return out;
}

/** Symmetric narrow-range int8 weights ([-127, 127], zp 0), per tensor or per channel; lattice channels stored exactly (int8LatticeScale). */
export function quantizeWeightsSymmetric(
  data: Float32Array,
  shape: readonly number[],
  axis?: number,
): { values: Int8Array; quant: QuantParams } {
  const absMax = absMaxByChannel(data, shape, axis);
  const inner = axis === undefined ? data.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = absMax.length;
  const scales = Array.from(absMax, (m, c) => int8LatticeScale(channelValues(data, shape, axis, c), m) ?? int8WeightScale(m));
  const values = new Int8Array(data.length);
  // The official converter also records each channel's float min/max; keep them for inspection.
  const min = new Array<number>(channels).fill(Infinity);
  const max = new Array<number>(channels).fill(-Infinity);
  // Runs of `inner` values share a channel, which cycles run by run (no division per value).
  for (let start = 0, c = 0; start < data.length; start += inner, c = c + 1 === channels ? 0 : c + 1) {
    const scale = scales[c]!;
    let [lo, hi] = [min[c]!, max[c]!];
    for (let i = start, end = Math.min(start + inner, data.length); i < end; i++) {
      const v = data[i]!;
      values[i] = int8WeightValue(v, scale);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    [min[c], max[c]] = [lo, hi];
  }
  const quant: QuantParams = {
    scale: scales,
    zeroPoint: scales.map(() => 0),
    min: min.map((v) => (Number.isFinite(v) ? v : 0)),
    max: max.map((v) => (Number.isFinite(v) ? v : 0)),
  };
  if (axis !== undefined) quant.axis = axis;
  return { values, quant };
}

/** Integer bias with scale s_in · s_w[c] (float32 product, as the kernels check it). */
export function quantizeBias(
  data: Float32Array,
  inputScale: number,
  weightScales: readonly number[],
  dtype: 'int32' | 'int64',
): { values: Int32Array | BigInt64Array; quant: QuantParams } {
  const scales = weightScales.map((s) => f32(f32(inputScale) * f32(s)));
  const perChannel = scales.length > 1;
  const get = (i: number): number => scales[perChannel ? i : 0]!;
  const quant: QuantParams = { scale: scales, zeroPoint: scales.map(() => 0) };
  if (perChannel) quant.axis = 0;
  if (dtype === 'int32') {
    const values = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) values[i] = clamp(roundHalfAway(data[i]! / get(i)), -2147483647, 2147483647);
    return { values, quant };
  }
  const values = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = BigInt(roundHalfAway(data[i]! / get(i)));
  return { values, quant };
}

/** Asymmetric per-tensor quantization of a constant used as an activation (concat, add, prelu alpha). */
export function quantizeWithParams(data: Float32Array, quant: QuantParams, dtype: 'int8' | 'int16'): Int8Array | Int16Array {
  const { min, max } = INT_LIMITS[dtype];
  const out = dtype === 'int8' ? new Int8Array(data.length) : new Int16Array(data.length);
  const s = quant.scale[0]!;
  const zp = quant.zeroPoint[0]!;
  for (let i = 0; i < data.length; i++) out[i] = clamp(roundHalfAway(data[i]! / s) + zp, min, max);
  return out;
}

/** Float values of stored weights, for error reports. */
export function dequantize(values: ArrayLike<number>, shape: readonly number[], quant: QuantParams): Float32Array {
  const out = new Float32Array(values.length);
  const channels = quant.scale.length;
  const axis = quant.axis ?? 0;
  const inner = channels > 1 ? shape.slice(axis + 1).reduce((a, b) => a * b, 1) : values.length;
  for (let i = 0; i < values.length; i++) {
    const c = channels > 1 ? Math.floor(i / inner) % channels : 0;
    out[i] = quant.scale[c]! * (values[i]! - quant.zeroPoint[c]!);
  }
  return out;
}
