// Per-layer comparison, the one place for it: the float graph and the quantized graph run in the
// IR interpreter (which fake-quantizes integer tensors, tracking TFLite's integer kernels closely)
// on the same samples; every tensor both graphs compute under the same name gets SQNR, mean
// cosine and max abs error, and so does every graph output. Used by the quantizer's report,
// `evaluate --layers` and the debugger.
import { createExecutor, type GraphInputs } from '../graph/execute';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { CancelledError } from '../errors';
import { TensorErrorAccumulator, type TensorError } from './tensor-error';

export type { TensorError } from './tensor-error';

export interface LayerError extends TensorError {
  /** Tensor name shared by both graphs. */
  tensor: string;
  /** The float graph's node that produces it. */
  node: string;
  op: string;
}

export interface OutputError extends TensorError {
  name: string;
}

/** A sample: the graph inputs, or an object carrying them (as evaluation datasets yield). */
export type LayerSample = GraphInputs | { inputs: Float32Array[] };
const inputsOf = (s: LayerSample): GraphInputs => (Array.isArray(s) || !('inputs' in s) ? (s as GraphInputs) : (s.inputs as Float32Array[]));

export async function compareLayers(
  floatModel: ModelGraph,
  quantModel: ModelGraph,
  samples: AsyncIterable<LayerSample> | Iterable<LayerSample>,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<{ layers: LayerError[]; outputs: OutputError[] }> {
  const fg = mainGraph(floatModel);
  const qg = mainGraph(quantModel);
  const produced = fg.nodes.flatMap((node) => node.outputs.filter((o) => qg.tensors.has(o)).map((tensor) => ({ tensor, node })));
  const shared = new Set([...produced.map((p) => p.tensor), ...fg.outputs.filter((o) => qg.tensors.has(o))]);
  const acc = new Map([...shared].map((t) => [t, new TensorErrorAccumulator()]));
  const floatRun = await createExecutor(floatModel);
  const quantRun = await createExecutor(quantModel);
  const limit = options.limit ?? Infinity;
  const signal = options.signal;
  let seen = 0;
  try {
    for await (const sample of samples) {
      if (seen++ >= limit) break;
      if (signal?.aborted) throw new CancelledError('Layer comparison cancelled.');
      const inputs = inputsOf(sample);
      const reference = new Map<string, Float32Array>();
      await floatRun.run(inputs, { ...(signal ? { signal } : {}), observe: (name, values) => shared.has(name) && reference.set(name, Float32Array.from(values)) });
      await quantRun.run(inputs, {
        ...(signal ? { signal } : {}),
        observe: (name, values) => {
          const ref = reference.get(name);
          if (ref && ref.length === values.length) acc.get(name)!.add(ref, values);
        },
      });
    }
  } finally {
    floatRun.dispose();
    quantRun.dispose();
  }
  const layers = produced
    .filter(({ tensor }) => acc.get(tensor)!.count > 0)
    .map(({ tensor, node }) => ({ tensor, node: node.name, op: node.op, ...acc.get(tensor)!.result() }));
  const outputs = fg.outputs.flatMap((name) => {
    const a = acc.get(name);
    return a && a.count > 0 ? [{ name, ...a.result() }] : [];
  });
  return { layers, outputs };
}
