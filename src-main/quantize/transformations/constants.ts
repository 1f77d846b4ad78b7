// Shared helper of the transformations: give one consumer its own copy of a constant when the
// constant is read by several nodes that need different storage.
import { addTensor, uniqueTensorName, type Graph, type Node, type Tensor } from '../../graph/model-graph';

/** Count of nodes reading each tensor. */
export function readerCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i !== null) counts.set(i, (counts.get(i) ?? 0) + 1);
  return counts;
}

/**
 * Replaces input `index` of `node` with `replacement` (a new constant). When nobody else reads
 * the old constant it is overwritten under its own name, so names from the source survive.
 */
export function replaceConstantInput(
  graph: Graph,
  node: Node,
  index: number,
  replacement: Omit<Tensor, 'name'>,
  readers: Map<string, number>,
  suffix: string,
): Tensor {
  const oldName = node.inputs[index]!;
  const old = graph.tensors.get(oldName)!;
  if ((readers.get(oldName) ?? 0) <= 1 && !graph.outputs.includes(oldName)) {
    const t: Tensor = { ...replacement, name: oldName };
    if (old.isVariable) t.isVariable = true;
    graph.tensors.set(oldName, t);
    return t;
  }
  const name = uniqueTensorName(graph, `${oldName}_${suffix}`);
  const t = addTensor(graph, { ...replacement, name });
  node.inputs[index] = name;
  readers.set(oldName, (readers.get(oldName) ?? 1) - 1);
  readers.set(name, 1);
  return t;
}
