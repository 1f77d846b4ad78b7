// Per-layer error: the float graph and the quantized graph run in the IR interpreter (the
// quantized one simulated with fake-quant, which tracks TFLite's integer kernels closely) on the
// same samples; every tensor both graphs compute under the same name is compared.
import { createExecutor } from '../graph/execute';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { CancelledError } from '../errors';
import { OutputComparison } from './metrics';

export interface LayerError {
  /** Tensor name shared by both graphs. */
  tensor: string;
  /** The float graph's node that produces it. */
  node: string;
  op: string;
  sqnrDb: number;
  cosine: number;
  maxAbsError: number;
}

export async function compareLayers(
  floatModel: ModelGraph,
  quantModel: ModelGraph,
  samples: AsyncIterable<{ inputs: Float32Array[] }> | Iterable<{ inputs: Float32Array[] }>,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<LayerError[]> {
  const floatGraph = mainGraph(floatModel);
  const quantGraph = mainGraph(quantModel);
  const quantNames = new Set(quantGraph.nodes.flatMap((n) => n.outputs));
  const produced = floatGraph.nodes.flatMap((node) => node.outputs.filter((o) => quantNames.has(o)).map((tensor) => ({ tensor, node })));
  const comparisons = new Map(produced.map(({ tensor }) => [tensor, new OutputComparison(tensor, [], false)]));
  const floatRun = await createExecutor(floatGraph);
  const quantRun = await createExecutor(quantGraph);
  const limit = options.limit ?? Infinity;
  let seen = 0;
  try {
    for await (const sample of samples) {
      if (seen++ >= limit) break;
      if (options.signal?.aborted) throw new CancelledError('Layer comparison cancelled.');
      const reference = new Map<string, Float32Array>();
      await floatRun.run(sample.inputs, { observe: (name, values) => comparisons.has(name) && reference.set(name, values.slice()) });
      await quantRun.run(sample.inputs, {
        observe: (name, values) => {
          const ref = reference.get(name);
          if (ref && ref.length === values.length) comparisons.get(name)!.add(ref, values);
        },
      });
    }
  } finally {
    floatRun.dispose();
    quantRun.dispose();
  }
  return produced
    .map(({ tensor, node }) => ({ tensor, node, result: comparisons.get(tensor)!.result() }))
    .filter(({ result }) => result.samples > 0)
    .map(({ tensor, node, result }) => ({ tensor, node: node.name, op: node.op, sqnrDb: result.sqnrDb, cosine: result.cosine, maxAbsError: result.maxAbsError }));
}
