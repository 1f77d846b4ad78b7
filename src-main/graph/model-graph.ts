// The shared model graph (IR). Importers produce it; passes rewrite it; the quantizer
// annotates it; the TFLite writer serialises it; the inspector and the UI read it.
// Conventions: NHWC layout, float32 constants (float16 only after FP16 conversion),
// ops named as TFLite builtins ('CONV_2D', …) with options in `ops.ts`, tensor names
// taken from the source model so that users recognise them.

import type { OpOptions, OpType } from './ops';

export type DType =
  | 'float32'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'string';

export type TensorData =
  | Float32Array
  | Uint16Array // float16 bits
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array;

/** Affine quantization: real = scale * (q - zeroPoint). Per-tensor when arrays have length 1. */
export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  /** Channel axis for per-channel params (TFLite `quantized_dimension`). */
  axis?: number;
  /** Observed or declared float range, kept for inspection and re-quantization. */
  min?: number[];
  max?: number[];
}

export interface Tensor {
  name: string;
  dtype: DType;
  /** Static shape; -1 marks a dynamic dimension (TFLite `shape_signature`). */
  shape: number[];
  /** Present for constants (weights, biases, shape operands). */
  data?: TensorData;
  quant?: QuantParams;
  /** Variable tensors (e.g. LSTM state) in TFLite. */
  isVariable?: boolean;
}

interface NodeOf<T extends OpType> {
  /** Unique within the graph; usually the source layer name. */
  name: string;
  op: T;
  /** Tensor names; `null` marks an omitted optional input (TFLite index -1). */
  inputs: (string | null)[];
  outputs: string[];
  /** TFLite operator intermediates (e.g. the 5 tensors an integer LSTM kernel reads its scales from). */
  intermediates?: string[];
  options: OpOptions[T];
  /** Source layer or op this node came from, for error messages and the layer table. */
  source?: { layer: string; className: string };
  /** Custom op name when op === 'CUSTOM'; TFLite builtin name when op === 'OTHER'. */
  customCode?: string;
  builtin?: string;
}

/** A node; checking `node.op` narrows `node.options` to that op's options. */
export type Node = { [K in OpType]: NodeOf<K> }[OpType];
export type NodeFor<T extends OpType> = NodeOf<T>;

export interface Graph {
  name: string;
  tensors: Map<string, Tensor>;
  /** Topologically ordered. */
  nodes: Node[];
  inputs: string[];
  outputs: string[];
}

export interface SignatureDef {
  key: string;
  subgraph: number;
  /** signature input/output name → tensor name */
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export interface ModelGraph {
  /** Where it came from: 'keras-h5', 'keras-v3', 'keras-json', 'tfjs-layers', 'tflite', … */
  format: string;
  description: string;
  graphs: Graph[];
  signatures: SignatureDef[];
  /** Free-form facts from the source (Keras version, backend, producer). */
  metadata: Record<string, string>;
  /** Source layers the importer could not map; non-empty means conversion must refuse. */
  unsupported: UnsupportedLayer[];
}

export interface UnsupportedLayer {
  layer: string;
  className: string;
  reason: string;
}

/** Error raised by graph utilities when the graph itself is malformed. */
export class GraphError extends Error {
  override name = 'GraphError';
}

export function mainGraph(model: ModelGraph): Graph {
  const graph = model.graphs[0];
  if (!graph) throw new GraphError('Model has no graph.');
  return graph;
}

export function getTensor(graph: Graph, name: string): Tensor {
  const t = graph.tensors.get(name);
  if (!t) throw new GraphError(`Graph '${graph.name}' has no tensor '${name}'.`);
  return t;
}

export function isConstant(graph: Graph, name: string | null): boolean {
  return name !== null && graph.tensors.get(name)?.data !== undefined;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * Math.max(d, 1), 1);
}

/** Returns a tensor name not yet used in the graph, derived from `base`. */
export function uniqueTensorName(graph: Graph, base: string): string {
  if (!graph.tensors.has(base)) return base;
  for (let i = 1; ; i++) {
    const candidate = `${base}_${i}`;
    if (!graph.tensors.has(candidate)) return candidate;
  }
}

export function addTensor(graph: Graph, tensor: Tensor): Tensor {
  if (graph.tensors.has(tensor.name)) throw new GraphError(`Tensor '${tensor.name}' already exists.`);
  graph.tensors.set(tensor.name, tensor);
  return tensor;
}

/** Map tensor name → the nodes that read it. */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input === null) continue;
      const list = map.get(input);
      if (list) list.push(node);
      else map.set(input, [node]);
    }
  }
  return map;
}

/** Map tensor name → the node that writes it. */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of graph.nodes) for (const output of node.outputs) map.set(output, node);
  return map;
}

/** Drops tensors no node, input or output refers to (after passes removed nodes). */
export function pruneTensors(graph: Graph): void {
  const used = new Set<string>([...graph.inputs, ...graph.outputs]);
  for (const node of graph.nodes) {
    for (const i of node.inputs) if (i !== null) used.add(i);
    for (const o of node.outputs) used.add(o);
    for (const t of node.intermediates ?? []) used.add(t);
  }
  for (const name of [...graph.tensors.keys()]) if (!used.has(name)) graph.tensors.delete(name);
}

/** Op histogram, e.g. { CONV_2D: 14, FULLY_CONNECTED: 1 }, sorted by op name. */
export function opHistogram(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.nodes) {
    const key =
      node.op === 'CUSTOM' ? `CUSTOM:${node.customCode ?? '?'}` : node.op === 'OTHER' ? (node.builtin ?? 'OTHER') : node.op;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function parameterCount(graph: Graph): number {
  let n = 0;
  for (const t of graph.tensors.values()) if (t.data && !t.isVariable) n += elementCount(t.shape);
  return n;
}
