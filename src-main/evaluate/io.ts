// Float ↔ runtime arrays at a model's edges: quantize real inputs for int8/uint8/int16 tensors
// with the tensor's own scale/zero point, and dequantize integer outputs back to real values.
import type { RuntimeArray, RuntimeTensorInfo } from '../runtime/types';
import { activationCodes } from '../graph/integer-codes';
import { EvaluateInputError } from './errors';

export function toRuntimeInput(values: Float32Array, info: RuntimeTensorInfo): RuntimeArray {
  if (info.dtype === 'float32') return values;
  const limits = activationCodes(info.dtype);
  if (info.dtype === 'int32') return Int32Array.from(values, Math.round);
  if (!limits) throw new EvaluateInputError(`Input '${info.name}' has dtype ${info.dtype}, which evaluation cannot feed.`);
  if (!info.quant) throw new EvaluateInputError(`Input '${info.name}' is ${info.dtype} without quantization parameters; cannot map real data onto it.`);
  const { scale, zeroPoint } = info.quant;
  const out = info.dtype === 'int8' ? new Int8Array(values.length) : info.dtype === 'uint8' ? new Uint8Array(values.length) : new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    // TFLite rounds half away from zero.
    const x = values[i]! / scale;
    const q = (x < 0 ? -Math.round(-x) : Math.round(x)) + zeroPoint;
    out[i] = q < limits[0] ? limits[0] : q > limits[1] ? limits[1] : q;
  }
  return out;
}

export function fromRuntimeOutput(values: RuntimeArray, info: RuntimeTensorInfo): Float32Array {
  if (values instanceof Float32Array) return values;
  if (values instanceof BigInt64Array) return Float32Array.from(values, (v) => Number(v));
  if (values instanceof Uint16Array) throw new EvaluateInputError(`Output '${info.name}' is float16; evaluation expects float32 or quantized outputs.`);
  const out = new Float32Array(values.length);
  const scale = info.quant?.scale ?? 1;
  const zeroPoint = info.quant?.zeroPoint ?? 0;
  for (let i = 0; i < values.length; i++) out[i] = scale * (values[i]! - zeroPoint);
  return out;
}
