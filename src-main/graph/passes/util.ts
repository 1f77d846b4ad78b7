// Small graph-editing helpers shared by the passes.
import type { Graph, Node, Tensor } from '../model-graph';
import { consumers } from '../model-graph';

/** The single node reading `tensor`, or undefined when it has 0 or several readers or is a graph output. */
export function soleConsumer(graph: Graph, tensor: string, readers = consumers(graph)): Node | undefined {
  if (graph.outputs.includes(tensor)) return undefined;
  const list = readers.get(tensor);
  return list && list.length === 1 ? list[0] : undefined;
}

/** Points every reader (and the graph outputs) of `from` at `to`. */
export function replaceUses(graph: Graph, from: string, to: string): void {
  for (const node of graph.nodes) node.inputs = node.inputs.map((i) => (i === from ? to : i));
  graph.outputs = graph.outputs.map((o) => (o === from ? to : o));
}

export function removeNode(graph: Graph, node: Node): void {
  const index = graph.nodes.indexOf(node);
  if (index >= 0) graph.nodes.splice(index, 1);
}

export function constTensor(graph: Graph, name: string | null | undefined): Tensor | undefined {
  if (!name) return undefined;
  const t = graph.tensors.get(name);
  return t?.data !== undefined && !t.isVariable ? t : undefined;
}

export function float32Of(t: Tensor): Float32Array | undefined {
  return t.dtype === 'float32' && t.data instanceof Float32Array ? t.data : undefined;
}

/** Readers of a constant other than `except`: a shared constant must be copied before editing. */
export function isShared(graph: Graph, name: string, except: Node): boolean {
  return graph.nodes.some((n) => n !== except && n.inputs.includes(name));
}

/** Joins names as the official converter does when it fuses ops ('a;b'). */
export function fusedName(outer: string, inner: string): string {
  return outer === inner ? outer : `${outer};${inner}`;
}

/** Renames a tensor everywhere it is referenced. */
export function renameTensor(graph: Graph, from: string, to: string): void {
  if (from === to || graph.tensors.has(to)) return;
  const t = graph.tensors.get(from);
  if (!t) return;
  graph.tensors.delete(from);
  t.name = to;
  graph.tensors.set(to, t);
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((i) => (i === from ? to : i));
    node.outputs = node.outputs.map((o) => (o === from ? to : o));
  }
  graph.inputs = graph.inputs.map((i) => (i === from ? to : i));
  graph.outputs = graph.outputs.map((o) => (o === from ? to : o));
}
