// Identity removal: ops that do nothing at inference (RESHAPE to the same shape, an
// identity TRANSPOSE, all-zero PAD, one-input CONCATENATION) and dead nodes whose
// outputs nobody reads. (Dropout and noise layers are already dropped by the importer.)
import type { Graph, Node } from '../model-graph';
import { consumers } from '../model-graph';
import { constTensor, removeNode, replaceUses } from './util';

function isIdentity(graph: Graph, node: Node): boolean {
  const input = node.inputs[0] ? graph.tensors.get(node.inputs[0]) : undefined;
  const output = graph.tensors.get(node.outputs[0] ?? '');
  if (!input || !output) return false;
  const sameShape = input.shape.length === output.shape.length && input.shape.every((d, i) => d === output.shape[i]);
  switch (node.op) {
    case 'RESHAPE':
    case 'SQUEEZE':
    case 'EXPAND_DIMS':
      return sameShape;
    case 'TRANSPOSE': {
      const perm = constTensor(graph, node.inputs[1]);
      return !!perm && Array.from(perm.data as Int32Array).every((p, i) => p === i);
    }
    case 'PAD': {
      const p = constTensor(graph, node.inputs[1]);
      return !!p && Array.from(p.data as Int32Array).every((v) => v === 0);
    }
    case 'CONCATENATION':
      return node.inputs.length === 1;
    default:
      return false;
  }
}

export function removeIdentities(graph: Graph): number {
  let removed = 0;
  for (const node of [...graph.nodes]) {
    if (!isIdentity(graph, node)) continue;
    const from = node.outputs[0]!;
    const to = node.inputs[0]!;
    // A graph output produced straight from a graph input keeps its op (a model must compute something).
    if (graph.outputs.includes(from) && graph.inputs.includes(to)) continue;
    if (graph.outputs.includes(from)) {
      // Keep the output's name: let the producer of `to` write `from` instead, when it has one.
      const producer = graph.nodes.find((n) => n.outputs.includes(to));
      const readers = consumers(graph).get(to) ?? [];
      if (!producer || readers.length !== 1 || graph.outputs.includes(to)) continue;
      producer.outputs = producer.outputs.map((o) => (o === to ? from : o));
      removeNode(graph, node);
      removed++;
      continue;
    }
    replaceUses(graph, from, to);
    removeNode(graph, node);
    removed++;
  }
  return removed + removeDead(graph);
}

/** Removes nodes none of whose outputs are read or exported. */
export function removeDead(graph: Graph): number {
  let removed = 0;
  let changed = true;
  while (changed) {
    changed = false;
    const readers = consumers(graph);
    for (const node of [...graph.nodes].reverse()) {
      const used = node.outputs.some((o) => graph.outputs.includes(o) || (readers.get(o)?.length ?? 0) > 0);
      if (!used) {
        removeNode(graph, node);
        removed++;
        changed = true;
      }
    }
  }
  return removed;
}
