// Shared helper of the transformations: give one consumer its own copy of a constant when the
// constant is read by several nodes that need different storage.
import { addTensor, uniqueTensorName, type Graph, type Node, type Tensor } from '../../graph/model-graph';
import { bytesOf, sameBytes } from './share-constants';

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
  // Readers of one constant that need the same storage (the recurrent weights of an unrolled
  // LSTM, read at every step) share one converted tensor instead of a copy each.
  const copies = copiesOf(graph);
  const key = `${oldName}\u0000${suffix}`;
  const same = copies.get(key)?.find((t) => sameConstant(t, replacement));
  if (same) {
    node.inputs[index] = same.name;
    readers.set(oldName, (readers.get(oldName) ?? 1) - 1);
    readers.set(same.name, (readers.get(same.name) ?? 0) + 1);
    return same;
  }
  const remember = (t: Tensor): Tensor => {
    copies.set(key, [...(copies.get(key) ?? []), t]);
    return t;
  };
  if ((readers.get(oldName) ?? 0) <= 1 && !graph.outputs.includes(oldName)) {
    const t: Tensor = { ...replacement, name: oldName };
    if (old.isVariable) t.isVariable = true;
    graph.tensors.set(oldName, t);
    return t.isVariable ? t : remember(t);
  }
  const name = uniqueTensorName(graph, `${oldName}_${suffix}`);
  const t = addTensor(graph, { ...replacement, name });
  node.inputs[index] = name;
  readers.set(oldName, (readers.get(oldName) ?? 1) - 1);
  readers.set(name, 1);
  return old.isVariable ? t : remember(t);
}

/** Converted copies made so far, per source constant and purpose, for each graph. */
const convertedCopies = new WeakMap<Graph, Map<string, Tensor[]>>();
function copiesOf(graph: Graph): Map<string, Tensor[]> {
  let copies = convertedCopies.get(graph);
  if (!copies) convertedCopies.set(graph, (copies = new Map()));
  return copies;
}

function sameConstant(a: Tensor, b: Omit<Tensor, 'name'>): boolean {
  if (a.dtype !== b.dtype || a.shape.join(',') !== b.shape.join(',') || JSON.stringify(a.quant) !== JSON.stringify(b.quant)) return false;
  return a.data !== undefined && b.data !== undefined && sameBytes(bytesOf(a.data), bytesOf(b.data));
}
