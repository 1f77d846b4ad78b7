// The TensorFlow op graph a recorded KerasGraph traces to, as TF's exporters write it (the
// forms ultralytics' TF.js graph-model and SavedModel exports take): Conv2D (+ BiasAdd),
// FusedBatchNormV3, Sigmoid·Mul for SiLU, SplitV, ConcatV2, MaxPool, ResizeNearestNeighbor,
// Reshape, Softmax, StridedSlice with an ellipsis, Sub/AddV2/Mul with constants, Transpose.
// Layer weights become variables (checkpoint values in a SavedModel, weights in a graph model);
// shape operands and Python constants become Const nodes. Attrs are in proto3-JSON form, which
// both the graph-model JSON and protobufjs' fromObject accept.
import { attr, GraphModelWriter } from './graph-model';
import { type Arg, isTensor, type KerasGraph, type KTensor, type LayerRecord } from './keras-graph';
import type { TfConstant, TfOpGraph } from '../formats/savedmodel-writer';

type Attr = Record<string, unknown>;

const F = { T: attr.float };
const NHWC = attr.s('NHWC');

/** A nested list of numbers → flat float data and its shape. */
function flatten(value: Arg): { shape: number[]; data: Float32Array } {
  const shape: number[] = [];
  for (let v: Arg = value; Array.isArray(v); v = v[0]!) shape.push(v.length);
  const flat = (Array.isArray(value) ? (value as unknown[]).flat(Infinity) : [value]) as number[];
  return { shape, data: Float32Array.from(flat) };
}

class Tracer {
  readonly graph: TfOpGraph;
  private readonly refs = new Map<string, string>();
  private counter = 0;

  constructor(private readonly g: KerasGraph) {
    const input = g.inputs[0]!;
    this.graph = { input: { name: input.layer, shape: input.shape }, items: [], output: '' };
    this.refs.set(`${input.layer}:0`, input.layer);
  }

  ref(t: KTensor): string {
    const r = this.refs.get(`${t.layer}:${t.index}`);
    if (!r) throw new Error(`no TF tensor for ${t.layer}:${t.index}`);
    return r;
  }

  op(name: string, op: string, input: string[], attrs: Record<string, Attr> = F): string {
    this.graph.items.push({ kind: 'op', node: { name, op, input, attr: attrs } });
    return name;
  }

  constant(name: string, shape: number[], data: Float32Array | Int32Array, variable = false): string {
    const value: TfConstant = { name, shape, data, variable };
    this.graph.items.push({ kind: 'const', value });
    return name;
  }

  ints(name: string, values: number[]): string {
    return this.constant(name, [values.length], Int32Array.from(values));
  }

  /** A tensor argument, or a Python constant as a float Const. */
  operand(scope: string, a: Arg): string {
    if (isTensor(a)) return this.ref(a);
    const { shape, data } = flatten(a);
    return this.constant(`${scope}/y_${this.counter++}`, shape, data);
  }

  define(layer: LayerRecord, ...tensors: string[]): void {
    tensors.forEach((t, i) => this.refs.set(`${layer.name}:${i}`, t));
  }

  silu(scope: string, x: string): string {
    return this.op(`${scope}/mul`, 'Mul', [x, this.op(`${scope}/Sigmoid`, 'Sigmoid', [x])]);
  }
}

function weight(layer: LayerRecord, name: string): { shape: number[]; data: Float32Array } {
  const w = layer.weights.find((x) => x.name === name);
  if (!w) throw new Error(`${layer.name}: no weight ${name}`);
  return w;
}

function traceLayer(t: Tracer, layer: LayerRecord): void {
  const c = layer.config;
  const n = layer.name;
  const first = layer.first;
  const x = () => t.ref(first as KTensor);
  switch (layer.className) {
    case 'InputLayer':
      return;
    case 'Conv2D': {
      const k = weight(layer, 'kernel');
      const strides = c['strides'] as number[];
      const conv = t.op(`${n}/Conv2D`, 'Conv2D', [x(), t.constant(`${n}/kernel`, k.shape, k.data, true)], {
        ...F, strides: attr.ints([1, strides[0]!, strides[1]!, 1]), padding: attr.s(String(c['padding']).toUpperCase()), data_format: NHWC, dilations: attr.ints([1, 1, 1, 1]),
      });
      if (!c['use_bias']) return t.define(layer, conv);
      const b = weight(layer, 'bias');
      return t.define(layer, t.op(`${n}/BiasAdd`, 'BiasAdd', [conv, t.constant(`${n}/bias`, b.shape, b.data, true)], { ...F, data_format: NHWC }));
    }
    case 'BatchNormalization': {
      const v = (w: string) => t.constant(`${n}/${w}`, weight(layer, w).shape, weight(layer, w).data, true);
      const inputs = [x(), v('gamma'), v('beta'), v('moving_mean'), v('moving_variance')];
      return t.define(layer, t.op(`${n}/FusedBatchNormV3`, 'FusedBatchNormV3', inputs, { ...F, U: attr.float, epsilon: { f: c['epsilon'] as number }, data_format: NHWC, is_training: attr.b(false) }));
    }
    case 'Activation':
      if (c['activation'] !== 'swish') throw new Error(`${n}: activation ${String(c['activation'])}`);
      return t.define(layer, t.silu(n, x()));
    case 'MaxPooling2D': {
      const [p, s] = [c['pool_size'] as number[], c['strides'] as number[]];
      return t.define(layer, t.op(`${n}/MaxPool`, 'MaxPool', [x()], { ...F, ksize: attr.ints([1, p[0]!, p[1]!, 1]), strides: attr.ints([1, s[0]!, s[1]!, 1]), padding: attr.s(String(c['padding']).toUpperCase()), data_format: NHWC }));
    }
    case 'UpSampling2D': {
      const [, h, w] = layer.outputs[0]!.shape as [number, number, number];
      return t.define(layer, t.op(`${n}/resize`, 'ResizeNearestNeighbor', [x(), t.ints(`${n}/size`, [h, w])], { ...F, align_corners: attr.b(false), half_pixel_centers: attr.b(true) }));
    }
    case 'Concatenate':
      return t.define(layer, concat(t, n, (first as KTensor[]).map((a) => t.ref(a)), c['axis'] as number));
    case 'Softmax':
      return t.define(layer, t.op(`${n}/Softmax`, 'Softmax', [x()]));
    case 'TFOpLambda':
    case 'SlicingOpLambda':
      return traceFunction(t, layer);
    default:
      throw new Error(`${n}: no TF op form for ${layer.className}`);
  }
}

function concat(t: Tracer, n: string, inputs: string[], axis: number): string {
  return t.op(`${n}/concat`, 'ConcatV2', [...inputs, t.constant(`${n}/axis`, [], Int32Array.of(axis))], { ...F, N: attr.i(inputs.length), Tidx: attr.int });
}

/** `x[..., a:b]` on the last axis: StridedSlice with an ellipsis, begin/end masks for open ends. */
function getitem(t: Tracer, n: string, x: string, spec: Arg): string {
  const slice = (spec as Arg[])[1] as { config: { start: number | null; stop: number | null } };
  const { start, stop } = slice.config;
  const mask = (open: boolean) => attr.i(open ? 2 : 0);
  return t.op(`${n}/strided_slice`, 'StridedSlice', [x, t.ints(`${n}/begin`, [0, start ?? 0]), t.ints(`${n}/end`, [0, stop ?? 0]), t.ints(`${n}/strides`, [1, 1])], {
    ...F, Index: attr.int, begin_mask: mask(start === null), end_mask: mask(stop === null), ellipsis_mask: attr.i(1), new_axis_mask: attr.i(0), shrink_axis_mask: attr.i(0),
  });
}

function traceFunction(t: Tracer, layer: LayerRecord): void {
  const n = layer.name;
  const fn = layer.config['function'] as string;
  const a = () => t.operand(n, layer.first);
  const y = () => t.operand(n, layer.kwargs['y']!);
  const binary: Record<string, string> = { 'math.multiply': 'Mul', 'math.subtract': 'Sub', '__operators__.add': 'AddV2' };
  if (binary[fn]) return t.define(layer, t.op(`${n}/${binary[fn]}`, binary[fn]!, [a(), y()]));
  switch (fn) {
    case 'nn.silu':
      return t.define(layer, t.silu(n, a()));
    case 'math.sigmoid':
      return t.define(layer, t.op(`${n}/Sigmoid`, 'Sigmoid', [a()]));
    case 'split': {
      const parts = layer.kwargs['num_or_size_splits'] as number;
      const size = layer.outputs[0]!.shape.at(-1)!;
      const split = t.op(`${n}/split`, 'SplitV', [a(), t.ints(`${n}/size_splits`, new Array<number>(parts).fill(size)), t.constant(`${n}/split_dim`, [], Int32Array.of(layer.kwargs['axis'] as number))], { ...F, num_split: attr.i(parts), Tlen: attr.int });
      return t.define(layer, ...Array.from({ length: parts }, (_, i) => (i === 0 ? split : `${split}:${i}`)));
    }
    case 'concat':
      return t.define(layer, concat(t, n, (layer.first as KTensor[]).map((v) => t.ref(v)), layer.kwargs['axis'] as number));
    case 'reshape':
      return t.define(layer, t.op(`${n}/Reshape`, 'Reshape', [a(), t.ints(`${n}/shape`, layer.kwargs['shape'] as number[])], { ...F, Tshape: attr.int }));
    case 'transpose':
      return t.define(layer, t.op(`${n}/transpose`, 'Transpose', [a(), t.ints(`${n}/perm`, layer.kwargs['perm'] as number[])], { ...F, Tperm: attr.int }));
    case '__operators__.getitem':
      return t.define(layer, getitem(t, n, a(), layer.kwargs['slice_spec']!));
    default:
      throw new Error(`${n}: no TF op form for tf.${fn}`);
  }
}

/** The TF op graph of a built KerasGraph (one input, one output). */
export function traceTfOps(g: KerasGraph): TfOpGraph {
  const t = new Tracer(g);
  for (const layer of g.layers) traceLayer(t, layer);
  t.graph.output = t.ref(g.outputs[0]!);
  return t.graph;
}

/** The TF op graph as a TF.js graph model (model.json + weights.bin in `dir`); variables are frozen to constants. */
export function writeTfOpsGraphModel(graph: TfOpGraph, dir: string): string {
  const w = new GraphModelWriter();
  w.placeholder(graph.input.name, graph.input.shape);
  for (const item of graph.items) {
    if (item.kind === 'const') w.constant(item.value.name, item.value.shape, item.value.data);
    else w.raw(item.node.name, item.node.op, item.node.input, item.node.attr);
  }
  return w.write(dir, [graph.input], [graph.output]);
}
