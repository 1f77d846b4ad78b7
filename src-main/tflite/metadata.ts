// Model-level metadata buffers: `min_runtime_version` (a NUL-padded 16-byte version string,
// as the official converter writes it) and `CONVERSION_METADATA` (conversion_metadata.fbs).
import { Builder } from 'flatbuffers';
import { FlatReader } from './flatbuffer-reader';
import { intVector } from './options-codec';
import { ConversionMetadataField, ConversionOptionsField, EnvironmentField, ModelOptimizationMode } from './schema/tables';
import type { ModelGraph } from '../graph/model-graph';

export const MIN_RUNTIME_VERSION = 'min_runtime_version';
export const CONVERSION_METADATA = 'CONVERSION_METADATA';

/** TFLite writes the version as a C string in a 16-byte buffer. */
export function encodeRuntimeVersion(version: string): Uint8Array {
  const text = new TextEncoder().encode(version);
  const out = new Uint8Array(Math.max(16, text.length + 1));
  out.set(text);
  return out;
}

export interface ConversionInfo {
  /** Producer string stored as Environment.tensorflow_version (e.g. 'edgequant 0.1.0'). */
  producer: string;
  /** conversion_metadata.fbs ModelType (2 = KERAS_MODEL). */
  modelType?: number;
  /** ModelOptimizationMode values (1001 fp16, 1002 dynamic, 1003 int8, 1004 int16x8). */
  optimizationModes?: number[];
}

export function encodeConversionMetadata(info: ConversionInfo): Uint8Array {
  const b = new Builder(128);
  const producer = b.createString(info.producer);
  b.startObject(4);
  b.addFieldOffset(EnvironmentField.tensorflowVersion, producer, 0);
  b.addFieldInt32(EnvironmentField.apiVersion, 2, 0);
  b.addFieldInt32(EnvironmentField.modelType, info.modelType ?? 0, 0);
  const environment = b.endObject();
  const modes = intVector(b, info.optimizationModes ?? [], 4, (bb, x) => bb.addInt32(x));
  b.startObject(5);
  b.addFieldOffset(ConversionOptionsField.modelOptimizationModes, modes, 0);
  const options = b.endObject();
  b.startObject(2);
  b.addFieldOffset(ConversionMetadataField.environment, environment, 0);
  b.addFieldOffset(ConversionMetadataField.options, options, 0);
  b.finish(b.endObject());
  return b.asUint8Array().slice();
}

/** What the official converter would record for this graph: int16 activations → PTQ_INT16,
 *  int8/uint8 activations → PTQ_FULL_INTEGER, int8 weights only → PTQ_DYNAMIC_RANGE,
 *  float16 weights → PTQ_FLOAT16, nothing for a float model. */
export function inferOptimizationModes(model: ModelGraph): number[] {
  const tensors = model.graphs.flatMap((g) => [...g.tensors.values()]);
  const activation = (dtypes: string[]) => tensors.some((t) => !t.data && t.quant && t.quant.scale.length > 0 && dtypes.includes(t.dtype));
  if (activation(['int16'])) return [ModelOptimizationMode.PTQ_INT16];
  if (activation(['int8', 'uint8'])) return [ModelOptimizationMode.PTQ_FULL_INTEGER];
  if (tensors.some((t) => t.data && t.dtype === 'int8')) return [ModelOptimizationMode.PTQ_DYNAMIC_RANGE];
  if (tensors.some((t) => t.data && t.dtype === 'float16')) return [ModelOptimizationMode.PTQ_FLOAT16];
  return [];
}

/** conversion_metadata.fbs ModelType of the source format. */
export function modelTypeOf(format: string): number {
  if (format.includes('keras') || format === 'tfjs-layers') return 2; // KERAS_MODEL
  if (format.startsWith('savedmodel')) return 1; // TF_SAVED_MODEL
  if (format === 'tfjs-graph') return 4; // TF_GRAPH_DEF
  return 0;
}

/** A short human description of a metadata buffer for the IR's metadata map. */
export function describeMetadata(name: string, bytes: Uint8Array): string {
  if (name === MIN_RUNTIME_VERSION) return new TextDecoder().decode(bytes).replace(/\0.*$/s, '');
  if (name === CONVERSION_METADATA) {
    try {
      const root = new FlatReader(bytes).root('ConversionMetadata');
      const env = root.table(ConversionMetadataField.environment, 'Environment');
      const opts = root.table(ConversionMetadataField.options, 'ConversionOptions');
      const producer = env?.string(EnvironmentField.tensorflowVersion) ?? '?';
      const modes = opts?.i32s(ConversionOptionsField.modelOptimizationModes) ?? [];
      return `producer ${producer}; optimization modes [${modes.join(', ')}]`;
    } catch {
      // A foreign or damaged metadata blob is not a reason to refuse the model.
      return `${bytes.length} bytes (unreadable)`;
    }
  }
  const printable = bytes.length > 0 && bytes.length <= 64 && bytes.every((c) => c >= 32 && c < 127);
  return printable ? new TextDecoder().decode(bytes) : `${bytes.length} bytes`;
}
