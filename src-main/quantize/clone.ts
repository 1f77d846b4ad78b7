// The quantizer never mutates the caller's model: it works on a structural copy whose
// constant data arrays are shared (transformations replace arrays, never write into them).
import type { Graph, ModelGraph, Node, Tensor } from '../graph/model-graph';

function cloneTensor(t: Tensor): Tensor {
  const copy: Tensor = { ...t, shape: [...t.shape] };
  if (t.quant) {
    copy.quant = { ...t.quant, scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint] };
  }
  return copy;
}

function cloneNode(n: Node): Node {
  const copy = { ...n, inputs: [...n.inputs], outputs: [...n.outputs], options: { ...n.options } } as Node;
  if (n.intermediates) copy.intermediates = [...n.intermediates];
  return copy;
}

export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    tensors: new Map([...g.tensors].map(([k, t]) => [k, cloneTensor(t)])),
    nodes: g.nodes.map(cloneNode),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
  };
}

export function cloneModel(m: ModelGraph): ModelGraph {
  return {
    ...m,
    graphs: m.graphs.map(cloneGraph),
    signatures: m.signatures.map((s) => ({ ...s, inputs: { ...s.inputs }, outputs: { ...s.outputs } })),
    metadata: { ...m.metadata },
    unsupported: [...m.unsupported],
  };
}

/** Bytes the constants of a graph occupy (what dominates a .tflite file's size). */
export function constantBytes(g: Graph): number {
  let n = 0;
  for (const t of g.tensors.values()) if (t.data) n += t.data.byteLength;
  return n;
}
