// Accumulated per-layer error in a real TFLite runtime: copies of the float and quantized files
// whose graph outputs also list every measured layer's tensor, so the runtime's own kernels
// (not a simulation) produce the values compared. tflite-node runs TFLite's builtin kernels one
// by one, which keeps every listed tensor observable.
import { fromRuntimeOutput, toRuntimeInput } from '../evaluate/io';
import { mainGraph } from '../graph/model-graph';
import { getRuntime } from '../runtime/index';
import type { RuntimeName } from '../runtime/types';
import { readTflite } from '../tflite/reader';
import { writeTflite } from '../tflite/writer';
import type { QuantizedLayer } from './layers';
import { addAsReadersSee } from './reader-range';
import { gridOf, TensorErrorAccumulator } from '../validation/tensor-error';
import type { TensorError } from './types';

export const OBSERVING_RUNTIME: RuntimeName = 'tflite-node';

/** The file with `tensors` appended to its graph outputs; returns each tensor's output index. */
function observable(bytes: Uint8Array, tensors: string[]): { bytes: Uint8Array; index: Map<string, number> } {
  const model = readTflite(bytes);
  const graph = mainGraph(model);
  const index = new Map<string, number>();
  graph.outputs.forEach((name, k) => index.set(name, k));
  for (const name of tensors) {
    if (index.has(name) || !graph.tensors.has(name)) continue;
    index.set(name, graph.outputs.length);
    graph.outputs.push(name);
  }
  // Signatures name the original outputs only; the copy is run by its graph outputs.
  model.signatures = [];
  return { bytes: writeTflite(model), index };
}

export async function accumulatedInRuntime(
  floatBytes: Uint8Array,
  quantBytes: Uint8Array,
  layers: QuantizedLayer[],
  samples: Float32Array[][],
  signal?: AbortSignal,
): Promise<TensorError[]> {
  const quantModel = readTflite(quantBytes);
  const grids = layers.map((l) => gridOf(mainGraph(quantModel).tensors.get(l.node.outputs[0]!)));
  const f = observable(floatBytes, layers.map((l) => l.floatOutput));
  const q = observable(quantBytes, layers.map((l) => l.node.outputs[0]!));
  const runtime = getRuntime(OBSERVING_RUNTIME);
  const floatRun = await runtime.load(f.bytes);
  const quantRun = await runtime.load(q.bytes);
  try {
    const accumulators = layers.map((_, k) => new TensorErrorAccumulator(grids[k]));
    for (const inputs of samples) {
      if (signal?.aborted) break;
      await floatRun.reset();
      await quantRun.reset();
      const fo = await floatRun.run(inputs.map((x, k) => toRuntimeInput(x, floatRun.inputs[k]!)));
      const qo = await quantRun.run(inputs.map((x, k) => toRuntimeInput(x, quantRun.inputs[k]!)));
      for (const [k, layer] of layers.entries()) {
        const fi = f.index.get(layer.floatOutput);
        const qi = q.index.get(layer.node.outputs[0]!);
        if (fi === undefined || qi === undefined) continue;
        const reference = fromRuntimeOutput(fo[fi]!, floatRun.outputs[fi]!);
        const test = fromRuntimeOutput(qo[qi]!, quantRun.outputs[qi]!);
        if (reference.length !== test.length) continue;
        addAsReadersSee(accumulators[k]!, layer.readersSee, reference, test);
      }
    }
    return accumulators.map((a) => a.result());
  } finally {
    floatRun.dispose();
    quantRun.dispose();
  }
}
