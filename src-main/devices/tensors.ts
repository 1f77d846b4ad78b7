// Raw tensor bytes as the runner sends them (little-endian, row-major) to numbers, and back.
import { halfToFloat } from '../graph/float16';

export type WireDType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'bool';

export interface WireTensorInfo {
  name: string;
  dtype: WireDType;
  shape: number[];
  /** [scale, zeroPoint] of a quantized tensor. */
  quant: [number, number] | null;
}

export function bytesPerElement(dtype: WireDType): number {
  return { float32: 4, float64: 8, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, bool: 1 }[dtype];
}

/** Element values of raw bytes, dequantized with `quant` when given. */
export function decodeTensor(bytes: Uint8Array, dtype: WireDType, quant: [number, number] | null = null): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / bytesPerElement(dtype);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'float32': out[i] = view.getFloat32(i * 4, true); break;
      case 'float64': out[i] = view.getFloat64(i * 8, true); break;
      case 'float16': out[i] = halfToFloat(view.getUint16(i * 2, true)); break;
      case 'int8': out[i] = view.getInt8(i); break;
      case 'uint8': case 'bool': out[i] = view.getUint8(i); break;
      case 'int16': out[i] = view.getInt16(i * 2, true); break;
      case 'uint16': out[i] = view.getUint16(i * 2, true); break;
      case 'int32': out[i] = view.getInt32(i * 4, true); break;
      case 'uint32': out[i] = view.getUint32(i * 4, true); break;
      case 'int64': out[i] = Number(view.getBigInt64(i * 8, true)); break;
    }
  }
  if (quant && quant[0]) for (let i = 0; i < n; i++) out[i] = (out[i]! - quant[1]) * quant[0];
  return out;
}
