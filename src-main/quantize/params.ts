// The params stage of static quantization: decides, from the recipe, the kernel facts and the
// calibration statistics, which nodes run integer and the scale/zero point of every activation
// tensor they touch. Scale sharing is a union-find over tensors that kernels require to agree.
import { consumers, isConstant, type Graph, type Node, type Tensor } from '../graph/model-graph';
import { QuantizeInputError } from './errors';
import { activationQuant } from './math';
import { opFacts, type OpFacts } from './op-facts';
import type { ActivationPlan, ActivationType, NodeDomain, QuantPlan, Recipe, Statistics, TensorRange } from './qtypes';
import { ruleFor } from './recipe';
import { clipToSaturation, saturationBounds } from './saturation';
import { LSTM, lstmIntegerReason } from './transformations/lstm';

export interface FloatOp {
  node: string;
  op: string;
  reason: string;
}

/** Inputs of a node that carry activations (not weights, bias, or integer shape operands). */
export function activationInputs(graph: Graph, node: Node, facts: OpFacts | undefined): number[] {
  if (node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') return [LSTM.input];
  const skip = new Set<number>();
  if (facts?.weights) skip.add(facts.weights.input);
  if (facts?.bias !== undefined) skip.add(facts.bias);
  const out: number[] = [];
  node.inputs.forEach((name, i) => {
    if (name === null || skip.has(i)) return;
    if (graph.tensors.get(name)?.dtype === 'float32') out.push(i);
  });
  return out;
}

/**
 * The key of a tensor's integer params when read at `dtype`: its own name at its home type,
 * `name#int16` (or `#int8`) for the copy a reader of the other integer type gets.
 */
export function activationKey(plan: Pick<QuantPlan, 'homes'>, name: string, dtype: ActivationType): string {
  const home = plan.homes.get(name);
  return home === undefined || home === dtype ? name : `${name}#${dtype}`;
}

/** The params of `name` as read by an integer node running at `dtype`. */
export function activationOf(plan: QuantPlan, name: string, dtype: ActivationType): ActivationPlan | undefined {
  return plan.activations.get(activationKey(plan, name, dtype));
}

/** Why a node stays float ('recipe' when a rule asked for it), or undefined when it runs integer. */
function floatReason(graph: Graph, node: Node, recipe: Recipe): string | undefined {
  const rule = ruleFor(recipe, node);
  if (rule.algorithm !== 'static') return rule.by === 'node' ? `a node rule keeps it ${rule.algorithm === 'float' ? 'float32' : rule.algorithm}` : 'the recipe keeps it float';
  const wanted = rule.activations;
  if (node.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') return lstmIntegerReason(graph, node, wanted);
  const facts = opFacts(node.op);
  if (!facts || !facts[wanted]) return `no ${wanted === 'int8' ? 'int8' : '16x8'} kernel in TFLite`;
  if (facts.weights) {
    const w = node.inputs[facts.weights.input];
    if (w === undefined || w === null || !isConstant(graph, w)) return 'its weights are not constant';
    if (graph.tensors.get(w)?.dtype !== 'float32') return 'its weights are not float32';
  }
  if (facts.output.kind === 'index') return undefined; // integer output by design (ARG_MAX)
  for (const o of node.outputs) if (graph.tensors.get(o)?.dtype !== 'float32') return 'its output is not float';
  return undefined;
}

/**
 * Range of a constant read as an activation. Infinite values do not widen it: a PADV2 padding
 * with −∞ before a max-pool (NanoDet's ONNX export) means "below everything" and is stored as
 * the shared range's lowest integer when quantized (clamped).
 */
function constantRange(t: Tensor): TensorRange {
  const d = t.data as Float32Array;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/**
 * Groups of tensors read only by saturating kernels (an int8 sigmoid, tanh), besides the ops that
 * share their params: per group root, the input range beyond which every such reader saturates.
 * A group with a graph output, a float reader, a requantized copy or any other reader is left out.
 */
function saturatingGroups(
  graph: Graph,
  domains: Map<string, NodeDomain>,
  nodeTypes: Map<string, ActivationType>,
  groups: UnionFind,
  members: Map<string, { source: string; dtype: ActivationType }>,
): Map<string, TensorRange> {
  const readers = consumers(graph);
  const outputs = new Set(graph.outputs);
  const bounds = new Map<string, TensorRange>();
  const excluded = new Set<string>();
  for (const [key, { source, dtype }] of members) {
    const root = groups.find(key);
    if (excluded.has(root)) continue;
    let ok = key === source && !outputs.has(source);
    for (const reader of ok ? (readers.get(source) ?? []) : []) {
      const facts = opFacts(reader.op);
      if (domains.get(reader.name) !== 'integer' || !facts) ok = false;
      else if (facts.output.kind === 'shared' && groups.find(reader.outputs[0]!) === root) continue;
      else if (facts.output.kind === 'fixed' && nodeTypes.get(reader.name) === dtype) {
        const [scale, zeroPoint] = facts.output[dtype];
        const b = saturationBounds(reader.op, scale, zeroPoint, dtype);
        if (!b) ok = false;
        else {
          const prev = bounds.get(root);
          bounds.set(root, prev ? { min: Math.min(prev.min, b.min), max: Math.max(prev.max, b.max) } : b);
        }
      } else ok = false;
      if (!ok) break;
    }
    if (!ok) {
      excluded.add(root);
      bounds.delete(root);
    }
  }
  return bounds;
}

export function planStatic(
  graph: Graph,
  recipe: Recipe,
  statistics: Statistics,
): { plan: QuantPlan; floatOps: FloatOp[]; warnings: string[] } {
  const domains = new Map<string, NodeDomain>();
  const nodeTypes = new Map<string, ActivationType>();
  const floatOps: FloatOp[] = [];
  const warnings: string[] = [];
  const integerNodes: Node[] = [];
  for (const node of graph.nodes) {
    const reason = floatReason(graph, node, recipe);
    if (reason) {
      domains.set(node.name, 'float');
      floatOps.push({ node: node.name, op: node.op, reason });
      continue;
    }
    domains.set(node.name, 'integer');
    nodeTypes.set(node.name, ruleFor(recipe, node).activations);
    integerNodes.push(node);
  }
  // Home type of each tensor: its integer producer's, else its first integer reader's.
  const homes = new Map<string, ActivationType>();
  const readsOf = (node: Node): string[] => activationInputs(graph, node, opFacts(node.op)).map((i) => node.inputs[i]!);
  const writesOf = (node: Node): string[] => (opFacts(node.op)?.output.kind === 'index' ? [] : node.outputs);
  for (const node of integerNodes) for (const t of writesOf(node)) homes.set(t, nodeTypes.get(node.name)!);
  for (const node of integerNodes) for (const t of readsOf(node)) if (!homes.has(t)) homes.set(t, nodeTypes.get(node.name)!);

  const members = new Map<string, { source: string; dtype: ActivationType }>();
  const groups = new UnionFind();
  const fixed = new Map<string, readonly [number, number]>();
  // Tensors whose params a kernel fixes (e.g. a sigmoid's output).
  const fixedOutputs = new Set(integerNodes.flatMap((n) => (opFacts(n.op)?.output.kind === 'fixed' ? n.outputs.slice(0, 1) : [])));
  const requantized = new Map<string, string>();
  for (const node of integerNodes) {
    const dtype = nodeTypes.get(node.name)!;
    const facts = opFacts(node.op);
    const inputIndices = activationInputs(graph, node, facts);
    const ins = readsOf(node).map((t, i) => {
      const key = activationKey({ homes }, t, dtype);
      // An op sharing one scale over all its inputs reads a fixed-params tensor through a requantized copy.
      if (facts?.output.kind !== 'shared' || facts.output.inputs !== 'all' || !fixedOutputs.has(t) || key !== t) return key;
      const copy = `${t}@${node.name}`;
      requantized.set(`${node.name}\u0000${inputIndices[i]}`, copy);
      return copy;
    });
    readsOf(node).forEach((t, i) => members.set(ins[i]!, { source: t, dtype }));
    const outs = writesOf(node);
    for (const t of outs) members.set(t, { source: t, dtype });
    if (!facts) continue; // LSTM: own ranges on input and output
    if (facts.output.kind === 'shared') {
      const shared = facts.output.inputs === 'all' ? ins : ins.slice(0, 1);
      for (const t of [...shared, ...outs.slice(1)]) groups.union(outs[0]!, t);
    } else if (facts.output.kind === 'fixed') {
      fixed.set(outs[0]!, facts.output[dtype]);
    }
  }

  // Ranges per group: the union of the members' ranges, unless a kernel fixes the params.
  const missing: string[] = [];
  const groupRange = new Map<string, TensorRange>();
  const groupFixed = new Map<string, readonly [number, number]>();
  const unbounded = new Map<string, string>();
  for (const [key, { source }] of members) {
    const root = groups.find(key);
    const f = fixed.get(key);
    if (f) {
      const prev = groupFixed.get(root);
      if (prev && (prev[0] !== f[0] || prev[1] !== f[1])) warnings.push(`Tensor '${key}' has conflicting fixed params; kept the first.`);
      else groupFixed.set(root, f);
    }
    const t = graph.tensors.get(source)!;
    const r = t.data ? constantRange(t) : statistics.get(source);
    if (!r) {
      missing.push(source);
      continue;
    }
    if (Number.isNaN(r.min) || Number.isNaN(r.max)) throw new QuantizeInputError(`Calibration range of '${source}' is not a number (${r.min}..${r.max}); check the calibration data.`);
    // An infinite bound (values padded with −∞ on their way to a max-pool) does not widen the
    // group: the other members bound it, and −∞ is stored as the lowest integer. A group no
    // member bounds is refused below.
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) unbounded.set(root, `${source}' (${r.min}..${r.max})`);
    const finite = { min: Number.isFinite(r.min) ? r.min : Infinity, max: Number.isFinite(r.max) ? r.max : -Infinity };
    const g = groupRange.get(root);
    groupRange.set(root, g ? { min: Math.min(g.min, finite.min), max: Math.max(g.max, finite.max) } : finite);
  }
  for (const [root, source] of unbounded) {
    const g = groupRange.get(root)!;
    if (!Number.isFinite(g.min) || !Number.isFinite(g.max)) throw new QuantizeInputError(`Calibration range of '${source} is not finite; check the calibration data.`);
  }
  if (missing.length) {
    const list = [...new Set(missing)].slice(0, 5).join("', '");
    throw new QuantizeInputError(
      `Calibration statistics are missing for ${missing.length} tensor(s) ('${list}'${missing.length > 5 ? ', …' : ''}); int8/int16x8 need calibration data covering every activation.`,
    );
  }

  const saturation = saturatingGroups(graph, domains, nodeTypes, groups, members);
  const activations = new Map<string, ActivationPlan>();
  for (const [key, { dtype }] of members) {
    const root = groups.find(key);
    const f = groupFixed.get(root);
    const observed = groupRange.get(root) ?? { min: 0, max: 0 };
    const bounds = saturation.get(root);
    const range = bounds ? clipToSaturation(observed, bounds) : observed;
    if (f) {
      activations.set(key, { dtype, quant: { scale: [f[0]], zeroPoint: [f[1]] }, origin: 'fixed' });
    } else {
      activations.set(key, { dtype, quant: activationQuant(range, dtype), origin: root === key ? 'range' : 'shared' });
    }
  }
  return { plan: { recipe, domains, nodeTypes, activations, homes, requantized }, floatOps, warnings };
}
