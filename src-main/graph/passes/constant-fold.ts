// Constant folding: elementwise ops, RESHAPE and CAST whose inputs are all constants are
// evaluated once and replaced by a constant tensor (e.g. Rescaling of a constant, chains
// the importers create for fixed scales).
import type { Graph, Node, Tensor } from '../model-graph';
import { elementCount } from '../model-graph';
import { constTensor, removeNode } from './util';

type Binary = (a: number, b: number) => number;
const BINARY: Partial<Record<Node['op'], Binary>> = {
  ADD: (a, b) => a + b,
  SUB: (a, b) => a - b,
  MUL: (a, b) => a * b,
  DIV: (a, b) => a / b,
  MAXIMUM: Math.max,
  MINIMUM: Math.min,
};
const UNARY: Partial<Record<Node['op'], (a: number) => number>> = {
  RELU: (a) => Math.max(a, 0),
  RELU6: (a) => Math.min(Math.max(a, 0), 6),
  NEG: (a) => -a,
  EXP: Math.exp,
  SQRT: Math.sqrt,
  RSQRT: (a) => 1 / Math.sqrt(a),
  LOGISTIC: (a) => 1 / (1 + Math.exp(-a)),
  TANH: Math.tanh,
};

function broadcastIndex(outIndex: number, outShape: number[], shape: number[]): number {
  let idx = 0;
  let stride = 1;
  let rem = outIndex;
  const offset = outShape.length - shape.length;
  const coords: number[] = new Array(outShape.length);
  for (let d = outShape.length - 1; d >= 0; d--) {
    coords[d] = rem % outShape[d]!;
    rem = Math.floor(rem / outShape[d]!);
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d]!;
    idx += (dim === 1 ? 0 : coords[d + offset]!) * stride;
    stride *= dim;
  }
  return idx;
}

function evaluate(graph: Graph, node: Node, inputs: Tensor[]): Float32Array | Int32Array | undefined {
  const out = graph.tensors.get(node.outputs[0]!)!;
  const n = elementCount(out.shape);
  const bin = BINARY[node.op];
  if (bin && inputs.length === 2 && inputs.every((t) => t.data instanceof Float32Array)) {
    const [a, b] = inputs as [Tensor, Tensor];
    const result = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      result[i] = bin(
        (a.data as Float32Array)[broadcastIndex(i, out.shape, a.shape)]!,
        (b.data as Float32Array)[broadcastIndex(i, out.shape, b.shape)]!,
      );
    }
    const act = (node.options as { fusedActivation?: string }).fusedActivation;
    if (act === 'RELU') for (let i = 0; i < n; i++) result[i] = Math.max(result[i]!, 0);
    else if (act === 'RELU6') for (let i = 0; i < n; i++) result[i] = Math.min(Math.max(result[i]!, 0), 6);
    else if (act && act !== 'NONE') return undefined;
    return result;
  }
  const un = UNARY[node.op];
  if (un && inputs[0]?.data instanceof Float32Array) return (inputs[0].data as Float32Array).map(un);
  if (node.op === 'RESHAPE' && (inputs[0]?.data instanceof Float32Array || inputs[0]?.data instanceof Int32Array)) {
    return inputs[0].data.slice();
  }
  if (node.op === 'CAST' && inputs[0]?.data) {
    const src = Array.from(inputs[0].data as ArrayLike<number>, Number);
    return out.dtype === 'int32' ? Int32Array.from(src, Math.trunc) : out.dtype === 'float32' ? Float32Array.from(src) : undefined;
  }
  return undefined;
}

export function foldConstants(graph: Graph): number {
  let folded = 0;
  for (const node of [...graph.nodes]) {
    if (node.outputs.length !== 1 || graph.outputs.includes(node.outputs[0]!)) continue;
    const operands = node.inputs.filter((i): i is string => i !== null);
    if (operands.length === 0) continue;
    const inputs = operands.map((i) => constTensor(graph, i));
    if (inputs.some((t) => t === undefined)) continue;
    const data = evaluate(graph, node, inputs as Tensor[]);
    if (!data) continue;
    const out = graph.tensors.get(node.outputs[0]!)!;
    out.data = data;
    removeNode(graph, node);
    folded++;
  }
  return folded;
}
