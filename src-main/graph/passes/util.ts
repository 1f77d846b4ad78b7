// Small graph-editing helpers shared by the passes.
import type { Graph, Node, Tensor } from '../model-graph';
import { addTensor, consumers, uniqueTensorName } from '../model-graph';

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

/** Values of a constant that is a scalar or a vector along the last (channel) axis, as `channels` values. */
export function channelValues(t: Tensor, channels: number): Float32Array | undefined {
  const data = float32Of(t);
  if (!data) return undefined;
  if (data.length === 1) return new Float32Array(channels).fill(data[0]!);
  if (data.length === channels && t.shape.slice(0, -1).every((d) => d === 1)) return data;
  return undefined;
}

/**
 * The float32 data of input `index` of `node`, safe to edit in place: a constant that other
 * nodes read too is copied first; a missing input (no bias) is made as `create.size` zeros
 * named after `create.name`. Undefined when the input is not float32 data (or missing and no
 * `create`).
 */
export function editableFloat32(graph: Graph, node: Node, index: number, create?: { name: string; size: number }): Float32Array | undefined {
  const name = node.inputs[index];
  const t = name ? graph.tensors.get(name) : undefined;
  const data = t && float32Of(t);
  if (t && !data) return undefined;
  if (t && data && !isShared(graph, t.name, node)) return data;
  let own: Tensor;
  if (t && data) own = addTensor(graph, { ...t, name: uniqueTensorName(graph, t.name), data: Float32Array.from(data) });
  else if (create) own = addTensor(graph, { name: uniqueTensorName(graph, create.name), dtype: 'float32', shape: [create.size], data: new Float32Array(create.size) });
  else return undefined;
  while (node.inputs.length <= index) node.inputs.push(null);
  node.inputs[index] = own.name;
  return own.data as Float32Array;
}

/**
 * Folds until nothing folds: `fold` is offered each node in order and returns whether it changed
 * the graph; after a change the walk starts over with fresh readers. Returns the folds made.
 */
export function foldUntilStable(graph: Graph, fold: (node: Node, readers: Map<string, Node[]>) => boolean): number {
  let folded = 0;
  for (;;) {
    const readers = consumers(graph);
    if (!graph.nodes.some((node) => fold(node, readers))) return folded;
    folded++;
  }
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
