// The model summary the UI and the inspect job show: I/O tensors, op histogram, parameters.
import { mainGraph, opHistogram, parameterCount, type Graph, type ModelGraph } from '../graph/model-graph';
import type { ModelSummary, TensorSummary } from './contract';
import { modelSource, modelSourceBytes } from '../convert/source-size';

function tensorSummary(graph: Graph, name: string): TensorSummary {
  const t = graph.tensors.get(name);
  if (!t) return { name, dtype: 'unknown', shape: [] };
  const summary: TensorSummary = { name, dtype: t.dtype, shape: [...t.shape] };
  if (t.quant) summary.quant = { scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint], axis: t.quant.axis };
  return summary;
}

/** `companions`: the files opened with `path` (a Keras JSON's weights); they count in `bytes`. */
export async function summarizeModel(path: string, model: ModelGraph, companions: string[] = []): Promise<ModelSummary> {
  const graph = mainGraph(model);
  return {
    path,
    format: model.format,
    inputs: graph.inputs.map((n) => tensorSummary(graph, n)),
    outputs: graph.outputs.map((n) => tensorSummary(graph, n)),
    opHistogram: opHistogram(graph),
    parameterCount: parameterCount(graph),
    // Every file of the model: TF.js shards, a Keras JSON's weights, a whole SavedModel folder.
    bytes: await modelSourceBytes(modelSource({ model: path, companions })),
    unsupported: model.unsupported.map((u) => `${u.layer} (${u.className}): ${u.reason}`),
    layers: graph.nodes.map((node) => ({
      name: node.name,
      op: node.op === 'CUSTOM' || node.op === 'OTHER' ? `${node.op}:${node.customCode ?? node.builtin ?? '?'}` : node.op,
      ...(node.source ? { source: node.source.className } : {}),
      outputShapes: node.outputs.map((o) => [...(graph.tensors.get(o)?.shape ?? [])]),
      // Constant inputs are this node's weights (a shared constant would count twice; rare).
      parameters: node.inputs.reduce((n, i) => {
        const t = i ? graph.tensors.get(i) : undefined;
        return t?.data ? n + t.shape.reduce((a, b) => a * b, 1) : n;
      }, 0),
    })),
  };
}
