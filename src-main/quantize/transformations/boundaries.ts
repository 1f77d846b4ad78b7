// Gives activation tensors their integer dtype and params, then puts QUANTIZE / DEQUANTIZE
// wherever a tensor's stored type differs from what its reader needs: between integer and
// float islands, and at the graph edges for --input-type/--output-type (as the official
// converter does: float I/O → QUANTIZE in, DEQUANTIZE out; uint8 I/O → QUANTIZE both ways).
import { addTensor, isConstant, uniqueTensorName, type DType, type Graph, type Node, type QuantParams, type Tensor } from '../../graph/model-graph';
import type { IoType } from '../../convert/types';
import { QuantizeInputError } from '../errors';
import { activationQuant } from '../math';
import { opFacts } from '../op-facts';
import { activationInputs } from '../params';
import type { QuantPlan, Statistics } from '../qtypes';

type Stored = 'float32' | 'int8' | 'uint8' | 'int16';

function withDtype(q: QuantParams, from: Stored, to: Stored): QuantParams {
  const shift = to === 'uint8' && from !== 'uint8' ? 128 : from === 'uint8' && to !== 'uint8' ? -128 : 0;
  return { ...q, scale: [...q.scale], zeroPoint: q.zeroPoint.map((z) => z + shift) };
}

export function applyBoundaries(
  graph: Graph,
  plan: QuantPlan,
  io: { inputType: IoType; outputType: IoType },
  statistics: Statistics,
): void {
  const intType = plan.recipe.activations;
  // Decide what every node reads before any dtype changes.
  const reads = new Map<Node, { index: number; need: Stored }[]>();
  for (const node of graph.nodes) {
    const integer = plan.domains.get(node.name) === 'integer';
    const indices = integer
      ? activationInputs(graph, node, opFacts(node.op))
      : node.inputs.flatMap((n, i) => (n !== null && !isConstant(graph, n) && graph.tensors.get(n)?.dtype === 'float32' ? [i] : []));
    reads.set(node, indices.map((index) => ({ index, need: integer ? intType : 'float32' })));
  }

  const home = new Map<string, Stored>();
  const paramsOf = (name: string): QuantParams => {
    const p = plan.activations.get(name)?.quant;
    if (p) return p;
    const r = statistics.get(name);
    if (!r) throw new QuantizeInputError(`No calibration range for '${name}', needed for its ${intType} I/O type.`);
    return activationQuant(r, intType);
  };
  for (const node of graph.nodes) {
    if (plan.domains.get(node.name) !== 'integer') continue;
    for (const o of node.outputs) {
      const t = graph.tensors.get(o)!;
      if (t.dtype !== 'float32') continue; // an index output (ARG_MAX int32) keeps its type
      t.dtype = intType;
      t.quant = paramsOf(o);
      home.set(o, intType);
    }
  }
  for (const name of graph.inputs) {
    const t = graph.tensors.get(name)!;
    if (t.dtype !== 'float32') continue;
    const type = io.inputType as Stored;
    home.set(name, type);
    if (type !== 'float32') {
      t.dtype = type;
      t.quant = withDtype(paramsOf(name), intType, type);
    }
  }

  const producerIndex = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producerIndex.set(o, i)));
  const after = new Map<number, Node[]>(); // converters inserted after node i (-1: at the start)
  const addConverter = (source: string, target: string, to: Stored, quant: QuantParams | undefined): void => {
    const src = graph.tensors.get(source)!;
    const tensor: Tensor = { name: target, dtype: to as DType, shape: [...src.shape] };
    if (!graph.tensors.has(target)) addTensor(graph, quant ? { ...tensor, quant } : tensor);
    const node = { name: `${to === 'float32' ? 'dequantize' : 'quantize'}_${target}`, op: to === 'float32' ? 'DEQUANTIZE' : 'QUANTIZE', inputs: [source], outputs: [target], options: {} } as Node;
    const at = producerIndex.get(source) ?? -1;
    after.set(at, [...(after.get(at) ?? []), node]);
  };

  // Graph outputs whose stored type differs from --output-type: the producer writes a renamed tensor.
  const renamed = new Map<string, string>();
  for (const name of graph.outputs) {
    const from = home.get(name) ?? 'float32';
    const to = io.outputType as Stored;
    if (from === to || graph.tensors.get(name)?.dtype !== from) continue;
    const inner = uniqueTensorName(graph, `${name}_${from}`);
    const t = graph.tensors.get(name)!;
    graph.tensors.delete(name);
    graph.tensors.set(inner, { ...t, name: inner });
    for (const n of graph.nodes) n.outputs = n.outputs.map((o) => (o === name ? inner : o));
    for (const n of graph.nodes) n.inputs = n.inputs.map((i) => (i === name ? inner : i));
    home.set(inner, from);
    renamed.set(name, inner);
    producerIndex.set(inner, producerIndex.get(name) ?? -1);
    const quant = to === 'float32' ? undefined : withDtype(t.quant ?? paramsOf(name), from, to);
    addConverter(inner, name, to, quant);
  }

  // Readers that need another stored type get a converted copy (one per tensor and type).
  const converted = new Map<string, string>();
  for (const node of graph.nodes) {
    for (const { index, need } of reads.get(node) ?? []) {
      const name = node.inputs[index]!;
      const have = home.get(name) ?? 'float32';
      if (have === need) continue;
      const key = `${name}\u0000${need}`;
      let target = converted.get(key);
      if (!target) {
        const base = name.replace(/_(int8|uint8|int16|float32)$/, '');
        target = uniqueTensorName(graph, need === 'float32' ? `${base}_dequantize` : `${base}_${need}`);
        const quant = need === 'float32' ? undefined : plan.activations.get(name)?.quant ?? withDtype(paramsOf(name), intType, need);
        addConverter(name, target, need, quant);
        converted.set(key, target);
      }
      node.inputs[index] = target;
    }
  }

  const nodes: Node[] = [...(after.get(-1) ?? [])];
  graph.nodes.forEach((n, i) => nodes.push(n, ...(after.get(i) ?? [])));
  graph.nodes = nodes;
}
