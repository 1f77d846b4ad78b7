// Common subexpression elimination: two nodes with the same op, inputs and options compute
// the same tensor (e.g. NASNet's repeated MaxPool of one padded input); keep the first.
// Stateful ops (variable inputs such as LSTM state) are never merged.
import type { Graph } from '../model-graph';
import { removeNode, replaceUses } from './util';

export function dedupeNodes(graph: Graph): number {
  const seen = new Map<string, string[]>();
  let merged = 0;
  for (const node of [...graph.nodes]) {
    if (node.op === 'CUSTOM' || node.op === 'OTHER') continue;
    if (node.inputs.some((i) => i !== null && graph.tensors.get(i)?.isVariable)) continue;
    const key = JSON.stringify([node.op, node.inputs, node.options, node.outputs.length]);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, node.outputs);
      continue;
    }
    // An output of the graph keeps its own name and producer.
    if (node.outputs.some((o) => graph.outputs.includes(o))) continue;
    node.outputs.forEach((o, k) => replaceUses(graph, o, first[k]!));
    removeNode(graph, node);
    merged++;
  }
  return merged;
}
