// Shared by the detector-fix tests: a .tflite run on every input in both runtimes (outputs
// dequantized), and the SQNR of one channel range of an output against float.
import { readFileSync } from 'node:fs';
import { fromRuntimeOutput, toRuntimeInput } from '../../src-main/evaluate/io';
import { sliceAxis } from '../../src-main/graph/axis-layout';
import { getRuntime } from '../../src-main/runtime/index';
import type { RuntimeName } from '../../src-main/runtime/types';
import { ErrorAccumulator } from '../../src-main/validation/sqnr';

export type RuntimeOutputs = Record<RuntimeName, Float32Array[][]>;

export async function runIn(runtime: RuntimeName, bytes: Uint8Array, inputs: Float32Array[]): Promise<Float32Array[][]> {
  const model = await getRuntime(runtime).load(bytes);
  try {
    const all: Float32Array[][] = [];
    for (const x of inputs) {
      const outs = await model.run([toRuntimeInput(x, model.inputs[0]!)]);
      all.push(outs.map((o, i) => Float32Array.from(fromRuntimeOutput(o, model.outputs[i]!))));
    }
    return all;
  } finally {
    model.dispose();
  }
}

export async function runBoth(file: string, inputs: Float32Array[]): Promise<RuntimeOutputs> {
  const bytes = new Uint8Array(readFileSync(file));
  return { 'litert-js': await runIn('litert-js', bytes, inputs), 'tflite-node': await runIn('tflite-node', bytes, inputs) };
}

/** SQNR of channels [start, end) along `axis` of an output of `shape`, pooled over samples. */
export function sliceSqnr(reference: Float32Array[][], test: Float32Array[], shape: number[], axis: number, start: number, end: number): number {
  const acc = new ErrorAccumulator();
  reference.forEach((r, k) => acc.add(sliceAxis(r[0]!, shape, axis, start, end), sliceAxis(test[k]!, shape, axis, start, end)));
  return acc.sqnrDb;
}
