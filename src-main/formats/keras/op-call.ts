// How Keras serialises a call of a TF function inside a Functional model (TFOpLambda,
// SlicingOpLambda): the first argument keeps its structure (a tensor, a list of tensors or a
// constant), every other argument is a keyword argument that may itself hold tensors.
//   Keras 2 (.h5):   ["x", 0, 0, {"axis": -1, "name": null}]               one tensor
//                    [["a", 0, 0, {kw}], ["b", 0, 0, {kw}]]                 a list of tensors
//                    ["_CONSTANT_VALUE", -1, [[…]], {"y": ["x", 0, 0]}]     a constant first
//   Keras 2.13+ / 3 (.keras): {"args": [...], "kwargs": {...}} with __keras_tensor__ objects.
// Tensors become `{ tensor: i }` markers (i indexes the call's inputs) so the lowering can read
// arguments by name without knowing the spelling.

/** A call argument with its tensors replaced by markers into `LayerCall.inputs`. */
export type OpArg = null | boolean | number | string | { tensor: number } | OpArg[] | { [key: string]: OpArg };

export interface OpCallArgs {
  first: OpArg;
  /** Positional arguments after the first (the new format keeps them positional). */
  positional: OpArg[];
  kwargs: Record<string, OpArg>;
}

const CONSTANT = '_CONSTANT_VALUE';

function isKeras2Ref(v: unknown): v is [string, number, number, ...unknown[]] {
  return Array.isArray(v) && v.length >= 3 && v.length <= 4 && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number' && v[0] !== CONSTANT;
}

function isConstantEntry(v: unknown): v is [string, number, unknown, unknown?] {
  return Array.isArray(v) && v[0] === CONSTANT && v[1] === -1;
}

function tensorHistory(v: unknown): [string, number, number] | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as { class_name?: string; config?: { keras_history?: [string, number, number] } };
  return o.class_name === '__keras_tensor__' && o.config?.keras_history ? o.config.keras_history : undefined;
}

class Collector {
  readonly inputs: string[] = [];

  private mark(layer: string, node: number, index: number): OpArg {
    this.inputs.push(`${layer}:${node}:${index}`);
    return { tensor: this.inputs.length - 1 };
  }

  /** Any JSON value, with tensors (either spelling) replaced by markers. */
  value(v: unknown): OpArg {
    const history = tensorHistory(v);
    if (history) return this.mark(...history);
    if (isKeras2Ref(v)) return this.mark(v[0], v[1], v[2]);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)]));
    if (v === undefined) return null;
    return v as OpArg;
  }

  /** A Keras 2 first-argument entry: a tensor ref with kwargs, or a constant with kwargs. */
  entry(v: unknown[]): { arg: OpArg; kwargs: unknown } {
    if (isConstantEntry(v)) return { arg: this.value(v[2]), kwargs: v[3] };
    return { arg: this.mark(v[0] as string, v[1] as number, v[2] as number), kwargs: v[3] };
  }
}

/** Parses one inbound node of a TFOpLambda/SlicingOpLambda layer; undefined when it is neither spelling. */
export function parseOpCall(node: unknown): { inputs: string[]; args: OpCallArgs } | undefined {
  const c = new Collector();
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    const n = node as { args?: unknown[]; kwargs?: Record<string, unknown> };
    const [first, ...rest] = n.args ?? [];
    const args: OpCallArgs = { first: c.value(first), positional: rest.map((r) => c.value(r)), kwargs: {} };
    args.kwargs = c.value(n.kwargs ?? {}) as Record<string, OpArg>;
    return { inputs: c.inputs, args };
  }
  if (!Array.isArray(node)) return undefined;
  if (isKeras2Ref(node) || isConstantEntry(node)) {
    const { arg, kwargs } = c.entry(node);
    return { inputs: c.inputs, args: { first: arg, positional: [], kwargs: c.value(kwargs ?? {}) as Record<string, OpArg> } };
  }
  if (node.every((e) => isKeras2Ref(e) || isConstantEntry(e))) {
    const entries = node.map((e) => c.entry(e as unknown[]));
    const kwargs = c.value(entries[0]?.kwargs ?? {}) as Record<string, OpArg>;
    return { inputs: c.inputs, args: { first: entries.map((e) => e.arg), positional: [], kwargs } };
  }
  return undefined;
}
