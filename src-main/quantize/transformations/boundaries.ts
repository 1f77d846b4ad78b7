// Gives activation tensors their integer dtype and params, then puts QUANTIZE / DEQUANTIZE
// wherever a tensor's stored type differs from what its reader needs: between integer and
// float islands, between int8 and int16x8 islands of a mixed recipe, and at the graph edges for
// --input-type/--output-type (as the official converter does: float I/O → QUANTIZE in,
// DEQUANTIZE out; uint8 I/O → QUANTIZE both ways).
// TFLite's QUANTIZE takes float → int8/uint8/int16, int16 → int8/int16 and int8/uint8 →
// int8/uint8 (kernels/quantize.cc Prepare); any other pair (int8 → int16) goes through float.
import { addTensor, isConstant, uniqueTensorName, type DType, type Graph, type Node, type QuantParams, type Tensor } from '../../graph/model-graph';
import { QuantizeInputError } from '../errors';
import { activationQuant } from '../math';
import { opFacts } from '../op-facts';
import { activationInputs, activationKey } from '../params';
import type { ActivationType, IoType, QuantPlan, Statistics } from '../qtypes';

type Stored = 'float32' | 'int8' | 'uint8' | 'int16';

function withDtype(q: QuantParams, from: Stored, to: Stored): QuantParams {
  const shift = to === 'uint8' && from !== 'uint8' ? 128 : from === 'uint8' && to !== 'uint8' ? -128 : 0;
  return { ...q, scale: [...q.scale], zeroPoint: q.zeroPoint.map((z) => z + shift) };
}

/** Whether one QUANTIZE / DEQUANTIZE converts `have` to `need` in TFLite. */
function oneStep(have: Stored, need: Stored): boolean {
  if (have === 'float32' || need === 'float32') return true;
  return have === 'int16' ? need !== 'uint8' : need !== 'int16';
}

export function applyBoundaries(graph: Graph, plan: QuantPlan, io: { inputType: IoType; outputType: IoType }, statistics: Statistics): void {
  const ioInt = plan.recipe.activations;
  // Decide what every node reads before any dtype changes.
  const reads = new Map<Node, { index: number; need: Stored }[]>();
  for (const node of graph.nodes) {
    const type = plan.nodeTypes.get(node.name);
    const indices = type
      ? activationInputs(graph, node, opFacts(node.op))
      : node.inputs.flatMap((n, i) => (n !== null && !isConstant(graph, n) && graph.tensors.get(n)?.dtype === 'float32' ? [i] : []));
    reads.set(node, indices.map((index) => ({ index, need: type ?? 'float32' })));
  }

  /** Params of `name` stored as the integer type `dtype` (planned, or from its calibrated range). */
  const paramsAt = (name: string, dtype: ActivationType): QuantParams => {
    const p = plan.activations.get(activationKey(plan, name, dtype))?.quant;
    if (p) return p;
    const r = statistics.get(name);
    if (!r) throw new QuantizeInputError(`No calibration range for '${name}', needed for its ${dtype} I/O type.`);
    return activationQuant(r, dtype);
  };
  const storedParams = (name: string, type: Stored): QuantParams | undefined =>
    type === 'float32' ? undefined : type === 'uint8' ? withDtype(paramsAt(name, 'int8'), 'int8', 'uint8') : paramsAt(name, type);

  const home = new Map<string, Stored>();
  for (const node of graph.nodes) {
    const type = plan.nodeTypes.get(node.name);
    if (!type) continue;
    for (const o of node.outputs) {
      const t = graph.tensors.get(o)!;
      if (t.dtype !== 'float32') continue; // an index output (ARG_MAX int32) keeps its type
      t.dtype = type;
      t.quant = paramsAt(o, type);
      home.set(o, type);
    }
  }
  for (const name of graph.inputs) {
    const t = graph.tensors.get(name)!;
    if (t.dtype !== 'float32') continue;
    const type = io.inputType as Stored;
    home.set(name, type);
    if (type !== 'float32') {
      t.dtype = type;
      t.quant = type === 'uint8' ? withDtype(paramsAt(name, ioInt), ioInt, 'uint8') : paramsAt(name, type === 'int16' ? 'int16' : 'int8');
    }
  }

  const producerIndex = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producerIndex.set(o, i)));
  const after = new Map<number, Node[]>(); // converters inserted after node i (-1: at the start), in order
  const base = (name: string): string => name.replace(/_(int8|uint8|int16|float32)$/, '');
  /** Emits the converter(s) from `source` (stored `have`) into `target` (stored `need`). */
  const emit = (source: string, have: Stored, target: string, need: Stored, quant: QuantParams | undefined, at: number): void => {
    if (!oneStep(have, need)) {
      const float = uniqueTensorName(graph, `${base(source)}_dequantize`);
      emit(source, have, float, 'float32', undefined, at);
      emit(float, 'float32', target, need, quant, at);
      return;
    }
    const src = graph.tensors.get(source)!;
    const tensor: Tensor = { name: target, dtype: need as DType, shape: [...src.shape] };
    if (!graph.tensors.has(target)) addTensor(graph, quant ? { ...tensor, quant } : tensor);
    const op = need === 'float32' ? 'DEQUANTIZE' : 'QUANTIZE';
    const node = { name: `${op.toLowerCase()}_${target}`, op, inputs: [source], outputs: [target], options: {} } as Node;
    after.set(at, [...(after.get(at) ?? []), node]);
  };

  // Graph outputs whose stored type differs from --output-type: the producer writes a renamed tensor.
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
    const at = producerIndex.get(name) ?? -1;
    producerIndex.set(inner, at);
    // uint8 keeps an int8 tensor's grid (zero point + 128); an int16 tensor's scale would clip
    // a uint8 output to ±128 of its steps, so that output gets int8 params from its range.
    const sameGrid = to === from || (to === 'uint8' && from === 'int8');
    const quant = to === 'float32' ? undefined : sameGrid ? withDtype(t.quant ?? paramsAt(name, ioInt), from, to) : storedParams(name, to);
    emit(inner, from, name, to, quant, at);
  }

  // Readers that need another stored type get a converted copy (one per tensor and type).
  const converted = new Map<string, string>();
  for (const node of graph.nodes) {
    for (const { index, need } of reads.get(node) ?? []) {
      const name = node.inputs[index]!;
      const have = home.get(name) ?? 'float32';
      const copy = plan.requantized.get(`${node.name}\u0000${index}`);
      if (copy && have === need && need !== 'float32') {
        // Same integer type, the reader's shared scale: an int8→int8 (int16→int16) QUANTIZE.
        const target = uniqueTensorName(graph, `${base(name)}_requantized`);
        emit(name, have, target, need, plan.activations.get(copy)!.quant, producerIndex.get(name) ?? -1);
        node.inputs[index] = target;
        continue;
      }
      if (have === need) continue;
      const key = `${name}\u0000${need}`;
      let target = converted.get(key);
      if (!target) {
        target = uniqueTensorName(graph, need === 'float32' ? `${base(name)}_dequantize` : `${base(name)}_${need}`);
        emit(name, have, target, need, storedParams(name, need), producerIndex.get(name) ?? -1);
        converted.set(key, target);
      }
      node.inputs[index] = target;
    }
  }

  const nodes: Node[] = [...(after.get(-1) ?? [])];
  graph.nodes.forEach((n, i) => nodes.push(n, ...(after.get(i) ?? [])));
  graph.nodes = nodes;
}
