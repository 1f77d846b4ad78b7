// Layout clean-up for graphs exported from NCHW frameworks (PyTorch → ONNX → TF): every NHWC op
// (conv, pool, resize) sits between a TRANSPOSE to NHWC and one back, with NCHW elementwise ops,
// pads and concats in between. This pass moves each TRANSPOSE down through such layout-agnostic
// ops (rewriting their constants and axes into the other layout) until it meets the opposite
// TRANSPOSE; the pair then composes to the identity and disappears.
import type { Graph, Node, Tensor } from '../model-graph';
import { consumers, uniqueTensorName } from '../model-graph';
import { removeIdentities } from './remove-identity';
import { constTensor } from './util';

const UNARY = new Set<Node['op']>(['RELU', 'RELU6', 'RELU_N1_TO_1', 'LEAKY_RELU', 'LOGISTIC', 'TANH', 'ELU', 'HARD_SWISH', 'GELU', 'EXP', 'LOG', 'SQRT', 'RSQRT', 'SQUARE', 'NEG', 'ABS', 'FLOOR']);
const BINARY = new Set<Node['op']>(['ADD', 'SUB', 'MUL', 'DIV', 'MAXIMUM', 'MINIMUM', 'SQUARED_DIFFERENCE', 'POW']);
const PADS = new Set<Node['op']>(['PAD', 'PADV2', 'MIRROR_PAD']);

function permOf(graph: Graph, node: Node): number[] | undefined {
  if (node.op !== 'TRANSPOSE') return undefined;
  const p = constTensor(graph, node.inputs[1]);
  return p ? Array.from(p.data as Int32Array) : undefined;
}

/** Row-major transpose of a constant: out.shape[i] = shape[perm[i]]. */
function transposeData(data: Float32Array | Int32Array, shape: number[], perm: number[]): Float32Array | Int32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const out = new (data.constructor as new (n: number) => Float32Array | Int32Array)(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += index[d]! * strides[perm[d]!]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

function addConstant(graph: Graph, base: string, t: Omit<Tensor, 'name'>): string {
  const name = uniqueTensorName(graph, base);
  graph.tensors.set(name, { ...t, name });
  return name;
}

/** A constant operand of a binary op, rewritten for the pre-transpose layout (a new tensor). */
function permuteOperand(graph: Graph, t: Tensor, perm: number[]): string | undefined {
  const rank = perm.length;
  if (t.shape.length > rank || !(t.data instanceof Float32Array || t.data instanceof Int32Array)) return undefined;
  const full = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
  const inv = inverse(perm);
  const data = transposeData(t.data, full, inv);
  return addConstant(graph, `${t.name}/nchw`, { dtype: t.dtype, shape: inv.map((p) => full[p]!), data });
}

/** Rewrites `node` to run on the transposes' inputs; returns false when it cannot. */
function rewrite(graph: Graph, node: Node, perm: number[], sources: Map<string, string>): boolean {
  const inv = inverse(perm);
  const inputs = [...node.inputs];
  if (BINARY.has(node.op) || UNARY.has(node.op) || node.op === 'CONCATENATION') {
    for (let i = 0; i < inputs.length; i++) {
      const name = inputs[i]!;
      const source = sources.get(name);
      if (source) inputs[i] = source;
      else {
        const c = constTensor(graph, name);
        const permuted = c && permuteOperand(graph, c, perm);
        if (!permuted) return false;
        inputs[i] = permuted;
      }
    }
    if (node.op === 'CONCATENATION') node.options = { ...node.options, axis: perm[node.options.axis]! };
  } else if (PADS.has(node.op)) {
    const pads = constTensor(graph, inputs[1]);
    if (!pads || !sources.has(inputs[0]!)) return false;
    const old = Array.from(pads.data as Int32Array);
    const moved = new Int32Array(old.length);
    perm.forEach((p, i) => {
      moved[2 * p] = old[2 * i]!;
      moved[2 * p + 1] = old[2 * i + 1]!;
    });
    inputs[0] = sources.get(inputs[0]!)!;
    inputs[1] = addConstant(graph, `${pads.name}/nchw`, { dtype: 'int32', shape: [...pads.shape], data: moved });
  } else {
    return false;
  }
  // The node now computes the pre-transpose layout; a TRANSPOSE after it restores the old tensor.
  const out = graph.tensors.get(node.outputs[0]!)!;
  const inner = addConstant(graph, `${out.name}/pre_transpose`, { dtype: out.dtype, shape: inv.map((p) => out.shape[p]!) });
  delete graph.tensors.get(inner)!.data;
  node.inputs = inputs;
  const original = node.outputs[0]!;
  node.outputs = [inner];
  const permName = addConstant(graph, `${original}/perm`, { dtype: 'int32', shape: [perm.length], data: Int32Array.from(perm) });
  const transpose: Node = { name: `${original}/transpose`, op: 'TRANSPOSE', inputs: [inner, permName], outputs: [original], options: {}, ...(node.source ? { source: node.source } : {}) };
  graph.nodes.splice(graph.nodes.indexOf(node) + 1, 0, transpose);
  return true;
}

/** Moves one TRANSPOSE below one consumer; true when something changed. */
function sinkOnce(graph: Graph): boolean {
  const readers = consumers(graph);
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const node of graph.nodes) {
    if (node.outputs.length !== 1 || !(UNARY.has(node.op) || BINARY.has(node.op) || PADS.has(node.op) || node.op === 'CONCATENATION')) continue;
    const data = PADS.has(node.op) ? [node.inputs[0]!] : node.inputs.filter((i): i is string => i !== null);
    let perm: number[] | undefined;
    const sources = new Map<string, string>();
    let ok = true;
    for (const name of data) {
      const p = producer.get(name);
      const pp = p && permOf(graph, p);
      if (pp) {
        if (perm && pp.join() !== perm.join()) ok = false;
        perm = pp;
        sources.set(name, p.inputs[0]!);
      } else if (!constTensor(graph, name)) ok = false;
    }
    if (!ok || !perm) continue;
    // Only worth it when every transposed input then loses a reader (no copies made for nothing).
    if (![...sources.keys()].every((s) => (readers.get(s) ?? []).every((r) => r === node || UNARY.has(r.op) || BINARY.has(r.op) || PADS.has(r.op) || r.op === 'CONCATENATION'))) continue;
    if (rewrite(graph, node, perm, sources)) return true;
  }
  return false;
}

/** TRANSPOSE of a TRANSPOSE becomes one TRANSPOSE of the original (identity ones are then removed). */
function composePairs(graph: Graph): number {
  let composed = 0;
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  for (const node of graph.nodes) {
    const outer = permOf(graph, node);
    const inner = producer.get(node.inputs[0] ?? '');
    const innerPerm = inner && permOf(graph, inner);
    if (!outer || !innerPerm || !inner) continue;
    const perm = outer.map((p) => innerPerm[p]!);
    node.inputs = [inner.inputs[0]!, addConstant(graph, `${node.outputs[0]}/perm`, { dtype: 'int32', shape: [perm.length], data: Int32Array.from(perm) })];
    producer.set(node.outputs[0]!, node);
    composed++;
  }
  return composed;
}

/** Returns how many TRANSPOSE ops the graph lost. */
export function sinkTransposes(graph: Graph): number {
  const count = () => graph.nodes.filter((n) => n.op === 'TRANSPOSE').length;
  const before = count();
  if (before === 0) return 0;
  const limit = 20 * graph.nodes.length;
  for (let step = 0; step < limit; step++) {
    const moved = sinkOnce(graph);
    composePairs(graph);
    removeIdentities(graph);
    if (!moved) break;
  }
  return before - count();
}
