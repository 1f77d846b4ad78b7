// Tensor element types: TFLite TensorType ↔ IR dtype, and typed arrays over raw bytes.
import type { DType, TensorData } from '../graph/model-graph';
import { TensorType } from './schema/tensor-type';

const BY_DTYPE: Record<DType, number> = {
  float32: TensorType.FLOAT32,
  float16: TensorType.FLOAT16,
  int8: TensorType.INT8,
  uint8: TensorType.UINT8,
  int16: TensorType.INT16,
  int32: TensorType.INT32,
  int64: TensorType.INT64,
  bool: TensorType.BOOL,
  string: TensorType.STRING,
};

const BY_CODE = new Map<number, DType>(Object.entries(BY_DTYPE).map(([d, c]) => [c, d as DType]));

export function tensorTypeOf(dtype: DType): number {
  return BY_DTYPE[dtype];
}

/** The IR dtype of a TFLite type code, or undefined for types the IR does not model. */
export function dtypeOf(code: number): DType | undefined {
  return BY_CODE.get(code);
}

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'int16':
      return 2;
    case 'int64':
      return 8;
    default:
      return 1;
  }
}

/** Copies `bytes` into a fresh, aligned typed array of the dtype (strings stay raw bytes). */
export function typedArrayFromBytes(dtype: DType, bytes: Uint8Array): TensorData {
  const copy = bytes.slice();
  const buf = copy.buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, 0, copy.length / 4);
    case 'float16':
      return new Uint16Array(buf, 0, copy.length / 2);
    case 'int16':
      return new Int16Array(buf, 0, copy.length / 2);
    case 'int32':
      return new Int32Array(buf, 0, copy.length / 4);
    case 'int64':
      return new BigInt64Array(buf, 0, copy.length / 8);
    case 'int8':
      return new Int8Array(buf, 0, copy.length);
    default:
      return copy;
  }
}

export function bytesOfData(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
