// TF graph → model graph. Walks the nodes the outputs need, folds constant subgraphs, and
// lowers each op through one table (op name → lowering, STYLE 6). Every op the table does not
// know is reported at once, in one message, before anything is built.
import type { Graph, ModelGraph } from '../../../graph/model-graph';
import { pruneTensors } from '../../../graph/model-graph';
import { InputError, UnsupportedError } from '../../../errors';
import { initTfjs, type Tf } from '../../../graph/tfjs-backend';
import { dataInputs, tensorRef, type TfNode, type TfTensorValue } from '../tf-node';
import { tfDtype } from '../tf-dtypes';
import { decodeFloat16 } from '../../../graph/float16';
import { LowerContext, type HostArray } from './context';
import { lowerConv2D, lowerConv2DBackpropInput, lowerDepthwise, lowerMatMul } from './conv';
import { lowerAddN, lowerBinary, lowerCast, lowerUnary } from './elementwise';
import { lowerConcat, lowerExpandDims, lowerPad, lowerReshape, lowerSlice, lowerSplit, lowerSqueeze, lowerStridedSlice, lowerTranspose } from './array';
import { lowerFusedBatchNorm, lowerPool, lowerReduce, lowerResize } from './nn';
import { isFoldable, tryFold } from './fold';
import { lowerEqual, lowerNonMaxSuppression, lowerTopK } from './postprocess';
import { cutOutputs, suggestCut } from './cut';
import { mirrorMaxPoolPadding } from './maxpool-padding';
import { lowerArgMax, lowerBatchMatMul, lowerDepthToSpace, lowerGather, lowerGatherNd, lowerTile, lowerUnpack } from './gather';

type Lowering = (ctx: LowerContext, node: TfNode) => void;

const LOWERINGS: Record<string, Lowering> = {
  Conv2D: lowerConv2D,
  _FusedConv2D: lowerConv2D,
  DepthwiseConv2dNative: lowerDepthwise,
  FusedDepthwiseConv2dNative: lowerDepthwise,
  Conv2DBackpropInput: lowerConv2DBackpropInput,
  MatMul: lowerMatMul,
  _FusedMatMul: lowerMatMul,
  Add: lowerBinary,
  AddV2: lowerBinary,
  BiasAdd: lowerBinary,
  Sub: lowerBinary,
  Mul: lowerBinary,
  RealDiv: lowerBinary,
  Div: lowerBinary,
  Maximum: lowerBinary,
  Minimum: lowerBinary,
  SquaredDifference: lowerBinary,
  Pow: lowerBinary,
  AddN: lowerAddN,
  Relu: lowerUnary,
  Relu6: lowerUnary,
  Sigmoid: lowerUnary,
  Tanh: lowerUnary,
  Elu: lowerUnary,
  Exp: lowerUnary,
  Log: lowerUnary,
  Sqrt: lowerUnary,
  Rsqrt: lowerUnary,
  Square: lowerUnary,
  Neg: lowerUnary,
  Abs: lowerUnary,
  LeakyRelu: lowerUnary,
  Prelu: lowerUnary,
  Softmax: lowerUnary,
  LogSoftmax: lowerUnary,
  FusedBatchNorm: lowerFusedBatchNorm,
  FusedBatchNormV2: lowerFusedBatchNorm,
  FusedBatchNormV3: lowerFusedBatchNorm,
  MaxPool: lowerPool,
  AvgPool: lowerPool,
  Mean: lowerReduce,
  Sum: lowerReduce,
  Max: lowerReduce,
  Min: lowerReduce,
  ResizeBilinear: lowerResize,
  ResizeNearestNeighbor: lowerResize,
  Reshape: lowerReshape,
  Squeeze: lowerSqueeze,
  ExpandDims: lowerExpandDims,
  ConcatV2: lowerConcat,
  Pack: lowerConcat,
  Split: lowerSplit,
  SplitV: lowerSplit,
  Slice: lowerSlice,
  StridedSlice: lowerStridedSlice,
  Transpose: lowerTranspose,
  Pad: lowerPad,
  PadV2: lowerPad,
  MirrorPad: lowerPad,
  Floor: lowerUnary,
  Cast: lowerCast,
  FloorDiv: lowerBinary,
  FloorMod: lowerBinary,
  Prod: lowerReduce,
  GatherV2: lowerGather,
  GatherNd: lowerGatherNd,
  Unpack: lowerUnpack,
  ArgMax: lowerArgMax,
  Tile: lowerTile,
  DepthToSpace: lowerDepthToSpace,
  SpaceToDepth: lowerDepthToSpace,
  BatchMatMul: lowerBatchMatMul,
  BatchMatMulV2: lowerBatchMatMul,
  TopKV2: lowerTopK,
  Equal: lowerEqual,
  NonMaxSuppressionV4: lowerNonMaxSuppression,
  NonMaxSuppressionV5: lowerNonMaxSuppression,
};

/** Ops that only forward their first input. */
const ALIASES = new Set(['Identity', 'IdentityN', 'StopGradient', 'Snapshot', 'PreventGradient', 'EnsureShape', 'CheckNumerics', 'ReadVariableOp']);
/** Ops handled outside the table: graph inputs, constants, folding-only ops. */
const STRUCTURAL = new Set(['Placeholder', 'PlaceholderWithDefault', 'Const', 'Shape', 'Fill', 'Range', 'NoOp']);

export function supportedTfOps(): string[] {
  return [...Object.keys(LOWERINGS), ...ALIASES, ...STRUCTURAL].sort();
}

export interface TfGraphSpec {
  /** Shown in errors and as the graph name. */
  name: string;
  format: string;
  nodes: TfNode[];
  inputs: { name: string; ref: string; shape: number[] | null }[];
  outputs: { name: string; ref: string; shape?: number[] | null }[];
  /** Constant values by node name (weights from a manifest or checkpoint). */
  constants: Map<string, TfTensorValue>;
  inputShape?: number[];
  metadata?: Record<string, string>;
  /** `inspect`: return the I/O and every unsupported op instead of refusing the graph. */
  collectUnsupported?: boolean;
  /** `--outputs`: end the graph at these tensors instead of the signature's outputs. */
  cut?: string[];
}

function toHost(value: TfTensorValue, where: string): HostArray {
  const d = value.data;
  if (d instanceof Float32Array || d instanceof Int32Array) return d;
  if (d instanceof BigInt64Array) return Int32Array.from(d, (x) => Number(x));
  if (value.dtype === 'DT_HALF' && d instanceof Uint16Array) return decodeFloat16(d);
  if (d instanceof Uint8Array || d instanceof Int8Array || d instanceof Int16Array) return Int32Array.from(d);
  throw new UnsupportedError(`${where}: constant of type ${value.dtype} is not supported.`);
}


/** The nodes the outputs depend on, inputs first; `cyclic` when a loop (control flow) was met. */
function neededNodes(spec: TfGraphSpec, byName: Map<string, TfNode>): { order: TfNode[]; cyclic: string | undefined } {
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>();
  const inputNames = new Set(spec.inputs.map((i) => i.ref.split(':')[0]));
  let cyclic: string | undefined;
  const visit = (name: string) => {
    const mark = state.get(name);
    if (mark === 2) return;
    if (mark === 1) {
      cyclic ??= name;
      return;
    }
    const node = byName.get(name);
    if (!node) throw new InputError(`${spec.name}: node '${name}' is referenced but not defined.`);
    state.set(name, 1);
    if (!inputNames.has(name)) for (const input of dataInputs(node)) visit(input.split(':')[0]!);
    state.set(name, 2);
    order.push(node);
  };
  for (const output of spec.outputs) visit(output.ref.split(':')[0]!);
  return { order, cyclic };
}

/** Nodes whose value is known at import time: constants, and foldable ops of constants only. */
function constantNodes(nodes: TfNode[]): Set<string> {
  const constant = new Set<string>();
  for (const node of nodes) {
    const inputs = dataInputs(node).map((r) => r.split(':')[0]!);
    const fromConstants = inputs.length > 0 && inputs.every((i) => constant.has(i));
    if (node.op === 'Const' || (fromConstants && (isFoldable(node.op) || ALIASES.has(node.op)))) constant.add(node.name);
  }
  return constant;
}

/** Every node whose op has no lowering (and is not folded away), one entry per op type with its count. */
function unsupportedOps(nodes: TfNode[]): Map<string, TfNode[]> {
  const found = new Map<string, TfNode[]>();
  const folded = constantNodes(nodes);
  for (const node of nodes) {
    if (LOWERINGS[node.op] || ALIASES.has(node.op) || STRUCTURAL.has(node.op) || folded.has(node.name)) continue;
    const list = found.get(node.op);
    if (list) list.push(node);
    else found.set(node.op, [node]);
  }
  return found;
}

/** The `--outputs` that would leave the unsupported ops out, as advice ('' when there is none). */
function cutAdvice(nodes: TfNode[], found: Map<string, TfNode[]>): string {
  const bad = new Set([...found.values()].flat().map((n) => n.name));
  const cut = suggestCut(nodes, bad, constantNodes(nodes));
  return cut.length ? `; to keep that post-processing on the host, cut the graph before it: convert --outputs ${cut.join(',')}` : '';
}

function unsupportedMessage(spec: TfGraphSpec, nodes: TfNode[], found: Map<string, TfNode[]>): string {
  const list = [...found].map(([op, n]) => `${op} (${n.length})`).join(', ');
  return `${spec.name}: ${found.size} TensorFlow op type(s) cannot be converted: ${list}. Control flow, TensorList and batched NMS (CombinedNonMaxSuppression) ops must be removed from the exported graph (export the model without them, or run them outside the model)${cutAdvice(nodes, found)}.`;
}

/** What `inspect` shows for a graph that cannot be lowered: its I/O and the unsupported ops. */
function unsupportedModel(spec: TfGraphSpec, nodes: TfNode[], found: Map<string, TfNode[]>): ModelGraph {
  const advice = cutAdvice(nodes, found);
  const graph: Graph = { name: spec.name, tensors: new Map(), nodes: [], inputs: [], outputs: [] };
  for (const input of spec.inputs) {
    graph.tensors.set(input.name, { name: input.name, dtype: 'float32', shape: (input.shape ?? []).map((d) => (d < 0 ? -1 : d)) });
    graph.inputs.push(input.name);
  }
  for (const output of spec.outputs) {
    graph.tensors.set(output.name, { name: output.name, dtype: 'float32', shape: (output.shape ?? []).map((d) => (d < 0 ? -1 : d)) });
    graph.outputs.push(output.name);
  }
  return {
    format: spec.format,
    description: '',
    graphs: [graph],
    signatures: [],
    metadata: spec.metadata ?? {},
    unsupported: [...found].map(([op, nodes]) => ({
      layer: nodes.length === 1 ? nodes[0]!.name : `${nodes[0]!.name} and ${nodes.length - 1} more`,
      className: op,
      reason: (CONTROL_FLOW.has(op) ? 'control flow has no TFLite builtin equivalent here' : 'no TFLite lowering for this TensorFlow op') + advice,
    })),
  };
}

const CONTROL_FLOW = new Set(['Switch', 'Merge', 'Enter', 'Exit', 'NextIteration', 'LoopCond', 'While', 'StatelessWhile', 'If', 'StatelessIf']);

function inputShape(spec: TfGraphSpec, input: TfGraphSpec['inputs'][number]): number[] {
  const declared = input.shape;
  if (spec.inputShape) {
    if (declared && declared.length !== spec.inputShape.length) {
      throw new InputError(`${spec.name}: --input-shape has ${spec.inputShape.length} dims but input '${input.name}' has ${declared.length}.`);
    }
    return spec.inputShape;
  }
  if (!declared) throw new InputError(`${spec.name}: input '${input.name}' has unknown rank; pass --input-shape, e.g. 1,224,224,3.`);
  const shape = declared.map((d, i) => (d < 0 && i === 0 ? 1 : d));
  if (shape.some((d) => d < 0)) {
    throw new InputError(`${spec.name}: input '${input.name}' has dynamic dims [${declared.map((d) => (d < 0 ? '?' : d))}]; pass --input-shape, e.g. 1,${shape.slice(1).map((d) => (d < 0 ? 224 : d))}.`);
  }
  return shape;
}

export async function lowerTfGraph(spec: TfGraphSpec, tfjs: () => Promise<Tf> = initTfjs): Promise<ModelGraph> {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  if (spec.cut?.length) spec = { ...spec, outputs: cutOutputs(spec.name, spec.cut, byName) };
  const needed = neededNodes(spec, byName);
  const cyclic = needed.cyclic;
  const constantOf = (ref: string) => {
    const node = byName.get(ref.split(':')[0]!);
    if (node?.op !== 'Const') return undefined;
    return spec.constants.get(node.name) ?? (node.attr.value?.kind === 'tensor' ? node.attr.value.value : undefined);
  };
  const nodes = mirrorMaxPoolPadding(needed.order, constantOf);
  const unsupported = unsupportedOps(nodes);
  if (unsupported.size > 0) {
    if (spec.collectUnsupported) return unsupportedModel(spec, nodes, unsupported);
    throw new UnsupportedError(unsupportedMessage(spec, nodes, unsupported));
  }
  if (cyclic) throw new UnsupportedError(`${spec.name}: the graph loops through '${cyclic}' (control flow); it cannot be converted.`);
  const graph: Graph = { name: spec.name, tensors: new Map(), nodes: [], inputs: [], outputs: [] };
  const ctx = new LowerContext(graph, spec.name);
  for (const input of spec.inputs) {
    const shape = inputShape(spec, input);
    const node = byName.get(input.ref.split(':')[0]!);
    const dtypeAttr = node?.attr.dtype;
    const dtype = dtypeAttr?.kind === 'type' ? tfDtype(dtypeAttr.value, spec.name) : 'float32';
    const ir = ctx.addTensor(input.name, shape, dtype);
    graph.inputs.push(ir);
    ctx.define(tensorRef(input.ref), { ir, shape, dtype });
  }
  for (const node of nodes) {
    const ref = `${node.name}:0`;
    if (ctx.values.has(ref)) continue; // a graph input
    if (node.op === 'Const') {
      const value = spec.constants.get(node.name) ?? (node.attr.value?.kind === 'tensor' ? node.attr.value.value : undefined);
      if (!value) throw new InputError(`${spec.name}: constant '${node.name}' has no value (missing weights?).`);
      ctx.defineConst(ref, node.name, value.shape, toHost(value, `${spec.name}: '${node.name}'`));
      continue;
    }
    if (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault') {
      throw new UnsupportedError(`${spec.name}: placeholder '${node.name}' is not a signature input; it cannot be fed.`);
    }
    if (ALIASES.has(node.op)) {
      const inputs = dataInputs(node);
      inputs.forEach((r, i) => ctx.define(`${node.name}:${i}`, ctx.get(r)));
      continue;
    }
    if (await tryFold(ctx, node, tfjs)) continue;
    const lowering = LOWERINGS[node.op];
    if (!lowering) throw new UnsupportedError(`${spec.name}: ${node.op} '${node.name}' needs constant inputs to be folded; it cannot run in TFLite as is.`);
    lowering(ctx, node);
  }
  for (const output of spec.outputs) {
    const v = ctx.get(tensorRef(output.ref));
    if (v.constant) throw new UnsupportedError(`${spec.name}: output '${output.name}' is a constant; nothing to convert.`);
    graph.outputs.push(v.ir);
  }
  pruneTensors(graph);
  return {
    format: spec.format,
    description: `Converted from ${spec.format} by EdgeQuant Studio`,
    graphs: [graph],
    signatures: [
      {
        key: 'serving_default',
        subgraph: 0,
        inputs: Object.fromEntries(spec.inputs.map((input, i) => [input.name, graph.inputs[i]!])),
        outputs: Object.fromEntries(spec.outputs.map((output, i) => [output.name, graph.outputs[i]!])),
      },
    ],
    metadata: spec.metadata ?? {},
    unsupported: [],
  };
}
