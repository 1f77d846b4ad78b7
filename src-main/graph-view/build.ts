// Builds the Graph view's payload from a model graph (IR): nodes with tensor ids, tensors with
// dtype, shape and summarised quantization. Large data stays on this side.
import { mainGraph, type Graph, type ModelGraph, type QuantParams } from '../graph/model-graph';
import type { GraphStage, GraphView, GraphViewNode, GraphViewTensor, QuantSummary } from './types';

/** Past this many nodes the view sends the first ones only (a graph this large is not drawable anyway). */
export const MAX_VIEW_NODES = 20_000;
/** Scales and zero points sent per tensor; the rest are summarised by count, min and max. */
export const QUANT_HEAD = 4;
const MAX_OPTION_ARRAY = 16;
const MAX_OPTION_STRING = 200;

export function quantSummary(q: QuantParams): QuantSummary | undefined {
  if (q.scale.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const s of q.scale) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return {
    count: q.scale.length,
    ...(q.scale.length > 1 && q.axis !== undefined ? { axis: q.axis } : {}),
    scaleMin: min,
    scaleMax: max,
    scale: q.scale.slice(0, QUANT_HEAD),
    zeroPoint: q.zeroPoint.slice(0, QUANT_HEAD),
  };
}

type OptionValue = GraphViewNode['options'][string];

function optionValue(value: unknown): OptionValue | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_OPTION_STRING ? `${value.slice(0, MAX_OPTION_STRING)}…` : value;
  if (Array.isArray(value) && value.length <= MAX_OPTION_ARRAY) {
    if (value.every((v) => typeof v === 'number')) return value as number[];
    if (value.every((v) => typeof v === 'string')) return value as string[];
  }
  return undefined; // typed arrays, nested objects, long lists: not shown
}

function plainOptions(options: unknown): GraphViewNode['options'] {
  const out: GraphViewNode['options'] = {};
  if (!options || typeof options !== 'object') return out;
  for (const [key, value] of Object.entries(options)) {
    const v = optionValue(value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function opName(node: Graph['nodes'][number]): string {
  if (node.op === 'CUSTOM') return `CUSTOM:${node.customCode ?? '?'}`;
  if (node.op === 'OTHER') return node.builtin ?? 'OTHER';
  return node.op;
}

export function buildGraphView(path: string, model: ModelGraph, stage: GraphStage, note?: string): GraphView {
  const graph = mainGraph(model);
  const tensors: GraphViewTensor[] = [];
  const ids = new Map<string, number>();
  const idOf = (name: string): number => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    const t = graph.tensors.get(name);
    const view: GraphViewTensor = { name, dtype: t?.dtype ?? 'unknown', shape: t ? [...t.shape] : [], constant: t?.data !== undefined };
    const q = t?.quant ? quantSummary(t.quant) : undefined;
    if (q) view.quant = q;
    ids.set(name, tensors.length);
    tensors.push(view);
    return tensors.length - 1;
  };
  const inputs = graph.inputs.map(idOf);
  const kept = graph.nodes.slice(0, MAX_VIEW_NODES);
  const nodes = kept.map((node): GraphViewNode => ({
    name: node.name,
    op: opName(node),
    options: plainOptions(node.options),
    inputs: node.inputs.map((i) => (i === null ? null : idOf(i))),
    outputs: node.outputs.map(idOf),
    ...(node.source ? { source: node.source.className } : {}),
  }));
  const view: GraphView = { path, format: model.format, stage, nodes, tensors, inputs, outputs: graph.outputs.map(idOf) };
  if (graph.nodes.length > kept.length) view.truncated = { nodes: graph.nodes.length };
  if (note) view.note = note;
  return view;
}
