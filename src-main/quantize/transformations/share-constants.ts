// Constants with byte-identical contents (e.g. the zero biases of several depthwise layers) share
// one data array, so the writer, which keeps one buffer per data array, stores them once, as the
// current TFLite converter does (str_ww_ref_model.tflite shares two 128-channel int32 biases).
import { createHash } from 'node:crypto';
import type { Graph, TensorData } from '../../graph/model-graph';

export function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Returns how many tensors now share an earlier tensor's data. */
export function shareIdenticalConstants(graph: Graph): number {
  const first = new Map<string, TensorData[]>();
  let shared = 0;
  for (const tensor of graph.tensors.values()) {
    if (!tensor.data || tensor.isVariable || tensor.data.byteLength === 0) continue;
    const bytes = bytesOf(tensor.data);
    const key = `${tensor.dtype}:${createHash('sha1').update(bytes).digest('hex')}`;
    const candidates = first.get(key) ?? [];
    const match = candidates.find((d) => d === tensor.data || sameBytes(bytesOf(d), bytes));
    if (!match) {
      first.set(key, [...candidates, tensor.data]);
    } else if (match !== tensor.data) {
      tensor.data = match;
      shared++;
    }
  }
  return shared;
}
