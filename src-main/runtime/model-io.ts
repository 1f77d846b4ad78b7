// What a runtime needs to know about a model's I/O that the runtimes themselves do not report
// (quantization, IR dtype, signature names), read once with our own TFLite reader.
import type { DType, ModelGraph, Tensor } from '../graph/model-graph';
import { readTflite } from '../tflite/reader';
import type { RuntimeArray, RuntimeTensorInfo } from './types';
import { RuntimeInputError, RuntimeLoadError } from './errors';

export interface ModelIo {
  inputs: RuntimeTensorInfo[];
  outputs: RuntimeTensorInfo[];
  /** Subgraph-0 tensor name of each signature input/output name (identity without signatures). */
  signatureToTensor: Map<string, string>;
  hasVariableTensors: boolean;
  hasDynamicInputs: boolean;
  /** Custom op codes used by any subgraph. */
  customOps: string[];
  /** A tensor whose shape signature is dynamic beyond the batch dimension, if any. */
  dynamicInnerTensor?: string;
}

function info(tensor: Tensor): RuntimeTensorInfo {
  const out: RuntimeTensorInfo = { name: tensor.name, dtype: tensor.dtype, shape: tensor.shape.map((d) => (d < 0 ? 1 : d)) };
  const q = tensor.quant;
  if (q && q.scale.length > 0 && (tensor.dtype === 'int8' || tensor.dtype === 'uint8' || tensor.dtype === 'int16')) {
    out.quant = { scale: q.scale[0] as number, zeroPoint: q.zeroPoint[0] ?? 0 };
  }
  return out;
}

export function describeModelIo(bytes: Uint8Array, model: ModelGraph = readTflite(bytes, { data: false })): ModelIo {
  const graph = model.graphs[0];
  if (!graph) throw new RuntimeLoadError('The model has no subgraph to run.');
  const tensorOf = (name: string): Tensor => graph.tensors.get(name) as Tensor;
  const signatureToTensor = new Map<string, string>();
  const signature = model.signatures.find((s) => s.subgraph === 0);
  for (const [key, tensor] of Object.entries({ ...signature?.inputs, ...signature?.outputs })) signatureToTensor.set(key, tensor);
  for (const name of [...graph.inputs, ...graph.outputs]) if (!signatureToTensor.has(name)) signatureToTensor.set(name, name);
  const dynamicInner = model.graphs.flatMap((g) => [...g.tensors.values()]).find((t) => t.shape.slice(1).some((d) => d < 0));
  return {
    ...(dynamicInner ? { dynamicInnerTensor: dynamicInner.name } : {}),
    inputs: graph.inputs.map((n) => info(tensorOf(n))),
    outputs: graph.outputs.map((n) => info(tensorOf(n))),
    signatureToTensor,
    hasVariableTensors: [...graph.tensors.values()].some((t) => t.isVariable),
    hasDynamicInputs: graph.inputs.some((n) => tensorOf(n).shape.some((d) => d < 0)),
    customOps: [...new Set(model.graphs.flatMap((g) => g.nodes.filter((n) => n.op === 'CUSTOM').map((n) => n.customCode ?? '')))],
  };
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

const BYTES: Partial<Record<DType, number>> = { float32: 4, int32: 4, float16: 2, int16: 2, int64: 8 };

export function byteSize(info: RuntimeTensorInfo): number {
  return elementCount(info.shape) * (BYTES[info.dtype] ?? 1);
}

/** Checks one caller input against the model's input and returns its bytes. */
export function inputBytes(info: RuntimeTensorInfo, index: number, value: RuntimeArray | undefined, expectedBytes = byteSize(info)): Uint8Array {
  if (value === undefined) throw new RuntimeInputError(`Input ${index} '${info.name}' is missing (the model has more inputs than were given).`);
  if (value.byteLength !== expectedBytes) {
    throw new RuntimeInputError(
      `Input ${index} '${info.name}' expects ${expectedBytes} bytes (${info.dtype}, shape [${info.shape.join(', ')}]) but got ${value.byteLength} bytes (${value.constructor.name} of ${value.length}).`,
    );
  }
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Wraps a copy of raw output bytes in the typed array of the dtype. */
export function outputArray(dtype: DType, bytes: Uint8Array): RuntimeArray {
  const copy = bytes.slice();
  switch (dtype) {
    case 'float32':
      return new Float32Array(copy.buffer, 0, copy.length / 4);
    case 'int32':
      return new Int32Array(copy.buffer, 0, copy.length / 4);
    case 'int16':
      return new Int16Array(copy.buffer, 0, copy.length / 2);
    case 'float16':
      return new Uint16Array(copy.buffer, 0, copy.length / 2);
    case 'int64':
      return new BigInt64Array(copy.buffer, 0, copy.length / 8);
    case 'int8':
      return new Int8Array(copy.buffer, 0, copy.length);
    default:
      return copy;
  }
}
