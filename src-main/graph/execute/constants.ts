// Turns IR constants into interpreter values: float32 as is, float16 bits decoded, quantized
// integers dequantized (per-tensor or per-channel), plain integers kept as int32 operands.
import type { Tensor, TensorData } from '../model-graph';
import { decodeFloat16 } from '../float16';

function toNumbers(data: TensorData): ArrayLike<number> {
  if (data instanceof BigInt64Array) return Array.from(data, (v) => Number(v));
  return data as ArrayLike<number>;
}

/** True when the tensor's values are real numbers stored as integers with a scale. */
export function isQuantized(t: Tensor): boolean {
  return t.quant !== undefined && t.quant.scale.length > 0 && t.dtype !== 'float32' && t.dtype !== 'float16';
}

/** True when the interpreter keeps this tensor as an int32 value (indices, shapes). */
export function isIndexTensor(t: Tensor): boolean {
  return (t.dtype === 'int32' || t.dtype === 'int64' || t.dtype === 'int16' || t.dtype === 'uint8' || t.dtype === 'int8') && !isQuantized(t);
}

/** Real values of a quantized integer array: scale * (q - zeroPoint), per channel on `axis`. */
export function dequantizeArray(q: ArrayLike<number>, shape: readonly number[], scale: number[], zeroPoint: number[], axis = 0): Float32Array {
  const out = new Float32Array(q.length);
  if (scale.length <= 1) {
    const s = scale[0] ?? 1;
    const z = zeroPoint[0] ?? 0;
    for (let i = 0; i < q.length; i++) out[i] = s * (q[i]! - z);
    return out;
  }
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const channels = shape[axis] ?? scale.length;
  for (let i = 0; i < q.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = scale[c]! * (q[i]! - (zeroPoint[c] ?? 0));
  }
  return out;
}

/** Float values of a constant (float32, float16, or quantized integers). */
export function constantAsFloat(t: Tensor): Float32Array {
  const data = t.data;
  if (!data) throw new Error(`Tensor '${t.name}' is not a constant.`);
  if (t.dtype === 'float32') return data as Float32Array;
  if (t.dtype === 'float16') return decodeFloat16(data as Uint16Array);
  const values = toNumbers(data);
  if (isQuantized(t)) return dequantizeArray(values, t.shape, t.quant!.scale, t.quant!.zeroPoint, t.quant!.axis ?? 0);
  return Float32Array.from(values);
}

/** Integer values of a constant (shape operands, axes, indices). */
export function constantAsInts(t: Tensor): number[] {
  const data = t.data;
  if (!data) throw new Error(`Tensor '${t.name}' is not a constant.`);
  if (t.dtype === 'float16') return Array.from(decodeFloat16(data as Uint16Array), Math.round);
  return Array.from(toNumbers(data));
}
