// TensorFlow DataType names → typed arrays and model-graph dtypes.
import type { DType } from '../../graph/model-graph';
import { UnsupportedError } from '../../errors';

export type TfArray = Float32Array | Int32Array | Int8Array | Uint8Array | Int16Array | BigInt64Array | Uint16Array;

const TF_TO_DTYPE: Record<string, DType> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float16',
  DT_INT32: 'int32',
  DT_INT8: 'int8',
  DT_UINT8: 'uint8',
  DT_INT16: 'int16',
  DT_INT64: 'int64',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
};

export function tfDtype(name: string, where: string): DType {
  const dtype = TF_TO_DTYPE[name];
  if (!dtype) throw new UnsupportedError(`${where}: tensor type ${name} is not supported.`);
  return dtype;
}

/** Copies little-endian raw bytes into a typed array of the TF dtype. */
export function tfDtypeToArray(name: string, bytes: Uint8Array, where: string): TfArray {
  // A real copy: Node Buffers (protobufjs bytes) share a pooled ArrayBuffer and slice() is a view.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  switch (tfDtype(name, where)) {
    case 'float32':
      return new Float32Array(buf, 0, copy.length / 4);
    case 'float16':
      return new Uint16Array(buf, 0, copy.length / 2);
    case 'int32':
      return new Int32Array(buf, 0, copy.length / 4);
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf);
    case 'int16':
      return new Int16Array(buf, 0, copy.length / 2);
    case 'int64':
      return new BigInt64Array(buf, 0, copy.length / 8);
    default:
      throw new UnsupportedError(`${where}: tensor type ${name} cannot be used as a constant.`);
  }
}
