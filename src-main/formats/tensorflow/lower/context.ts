// State shared by the TF-op lowerings: which IR tensor each TF tensor became, its static
// shape, and its value when it is a constant (so shape operands and weights can be read).
import type { DType, Graph, Node, TensorData } from '../../../graph/model-graph';
import { uniqueTensorName } from '../../../graph/model-graph';
import { UnsupportedError } from '../../../errors';
import type { TfNode } from '../tf-node';

export type HostArray = Float32Array | Int32Array;

export interface Value {
  /** IR tensor name. */
  ir: string;
  shape: number[];
  dtype: DType;
  /** Host value of a constant (float32 or int32). */
  constant?: HostArray;
}

export class LowerContext {
  readonly values = new Map<string, Value>();

  constructor(
    readonly graph: Graph,
    readonly modelName: string,
  ) {}

  get(ref: string): Value {
    const v = this.values.get(ref);
    if (!v) throw new UnsupportedError(`${this.modelName}: tensor '${ref}' is used before it is defined (unsupported graph structure).`);
    return v;
  }

  define(ref: string, value: Value): void {
    this.values.set(ref, value);
  }

  /** Reads a constant operand; shape operands, axes and weights must be constants. */
  constant(node: TfNode, ref: string, what: string): HostArray {
    const v = this.get(ref);
    if (!v.constant) {
      throw new UnsupportedError(`${this.modelName}: ${node.op} '${node.name}' needs a constant ${what}; dynamic ${what}s are not supported.`);
    }
    return v.constant;
  }

  constantInts(node: TfNode, ref: string, what: string): number[] {
    return Array.from(this.constant(node, ref, what), (x) => Number(x));
  }

  /** Adds an IR constant tensor and returns its name. */
  addConst(base: string, dtype: 'float32' | 'int32', shape: number[], data: HostArray): string {
    const name = uniqueTensorName(this.graph, base);
    this.graph.tensors.set(name, { name, dtype, shape, data: data as TensorData });
    return name;
  }

  /** Defines a TF tensor as a constant (after folding or from Const). */
  defineConst(ref: string, base: string, shape: number[], data: HostArray): Value {
    const dtype = data instanceof Int32Array ? 'int32' : 'float32';
    const value: Value = { ir: this.addConst(base, dtype, shape, data), shape, dtype, constant: data };
    this.define(ref, value);
    return value;
  }

  /** Adds an activation (non-constant) tensor. */
  addTensor(base: string, shape: number[], dtype: DType = 'float32'): string {
    const name = uniqueTensorName(this.graph, base);
    this.graph.tensors.set(name, { name, dtype, shape });
    return name;
  }

  addNode(node: Node): void {
    this.graph.nodes.push(node);
  }

  /** Emits one op whose single output becomes TF tensor `${tf.name}:0`. */
  emit<N extends Node>(tf: TfNode, node: Omit<N, 'outputs' | 'name'> & { name?: string }, shape: number[], dtype: DType = 'float32'): Value {
    const out = this.addTensor(tf.name, shape, dtype);
    this.addNode({ ...node, name: node.name ?? tf.name, outputs: [out], source: { layer: tf.name, className: tf.op } } as Node);
    const value: Value = { ir: out, shape, dtype };
    this.define(`${tf.name}:0`, value);
    return value;
  }
}

export function broadcastShapes(a: number[], b: number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new UnsupportedError(`${where}: shapes [${a}] and [${b}] do not broadcast.`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function product(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/** Output size of a windowed op (conv, pool) along one axis, as TensorFlow computes it. */
export function windowOutput(size: number, kernel: number, stride: number, dilation: number, padding: 'SAME' | 'VALID'): number {
  if (padding === 'SAME') return Math.ceil(size / stride);
  return Math.ceil((size - (kernel - 1) * dilation) / stride);
}

/** Transposes a row-major host array by `perm`. */
export function transposeHost<T extends HostArray>(data: T, shape: number[], perm: number[]): { data: T; shape: number[] } {
  const outShape = perm.map((p) => shape[p]!);
  const rank = shape.length;
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += index[d]! * inStrides[perm[d]!]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < outShape[d]!) break;
      index[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}
