// The `split` fix: a concatenated detector output (boxes in pixels next to scores in [0, 1])
// becomes one graph output per channel group, each with its own quantization. The groups keep
// the output's layout (the same TRANSPOSE / RESHAPE ops are applied to each) and its place in the output
// list: `<output>_boxes`, `<output>_scores` (or `<output>_group<i>`), in the concatenation's order.
import { mainGraph, pruneTensors, uniqueTensorName, type Graph, type ModelGraph, type Node } from '../../graph/model-graph';
import { cloneModel } from '../clone';
import type { Statistics } from '../qtypes';
import type { ConcatOutput, DetectorHead, GroupRole, OutputGroup } from './head';

export interface SplitOutput {
  /** The new graph output. */
  name: string;
  /** The concatenated output it was part of, the channels it held there and along which axis. */
  replaces: string;
  label: string;
  role: GroupRole;
  start: number;
  end: number;
  axis: number;
}

export interface SplitResult {
  model: ModelGraph;
  outputs: SplitOutput[];
  /** New tensor → the tensors whose values it holds (its calibrated range is their union). */
  derived: Map<string, string[]>;
}

function renameTensor(graph: Graph, from: string, to: string): void {
  const tensor = graph.tensors.get(from)!;
  graph.tensors.delete(from);
  graph.tensors.set(to, { ...tensor, name: to });
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((i) => (i === from ? to : i));
    node.outputs = node.outputs.map((o) => (o === from ? to : o));
  }
  graph.inputs = graph.inputs.map((i) => (i === from ? to : i));
}

/** The groups a split makes of a concatenated output: `<output>_<label>`, channels [start, end) along its axis. */
export interface GroupRun {
  label: string;
  role: GroupRole;
  start: number;
  end: number;
  groups: OutputGroup[];
}

/** Adjacent groups with the same recognised role stay together (one output, one scale), in the concatenation's order. */
export function groupRuns(c: ConcatOutput): GroupRun[] {
  const runs: OutputGroup[][] = [];
  for (const g of c.groups) {
    const last = runs.at(-1);
    if (last && g.role !== 'other' && last[0]!.role === g.role) last.push(g);
    else runs.push([g]);
  }
  return runs.map((run, i) => {
    const role = run[0]!.role;
    const label = run.length === c.groups.filter((g) => g.role === role).length && role !== 'other' ? role : `group${i}`;
    return { label, role, start: run[0]!.start, end: run.at(-1)!.end, groups: run };
  });
}

function splitOne(graph: Graph, c: ConcatOutput, derived: Map<string, string[]>): SplitOutput[] {
  const concat = graph.nodes.find((n) => n.name === c.concat) as Node & { op: 'CONCATENATION' };
  const layout = c.layout.map((name) => graph.nodes.find((n) => n.name === name)!);
  const added: Node[] = [];
  const results: SplitOutput[] = [];
  for (const { label, groups: run } of groupRuns(c)) {
    const final = uniqueTensorName(graph, `${c.output}_${label}`);
    let tensor = run[0]!.tensor;
    const sources = run.map((g) => g.tensor);
    let shape = [...graph.tensors.get(tensor)!.shape];
    const steps = run.length > 1 ? 1 + layout.length : layout.length;
    const next = (k: number) => (k === steps - 1 ? final : uniqueTensorName(graph, `${final}/part${k}`));
    let k = 0;
    if (run.length > 1) {
      shape[c.concatAxis] = run.reduce((n, g) => n + (g.end - g.start), 0);
      const out = next(k++);
      graph.tensors.set(out, { name: out, dtype: 'float32', shape: [...shape] });
      added.push({ ...concat, name: `${concat.name}/${label}`, inputs: run.map((g) => g.tensor), outputs: [out], options: { ...concat.options } } as Node);
      derived.set(out, sources);
      tensor = out;
    }
    for (const t of layout) {
      const out = next(k++);
      if (t.op === 'RESHAPE') {
        // Leading dims as the original reshape makes them; the group's channels stay last.
        shape = [...graph.tensors.get(t.outputs[0]!)!.shape.slice(0, -1), shape.at(-1)!];
        const target = uniqueTensorName(graph, `${out}/shape`);
        graph.tensors.set(target, { name: target, dtype: 'int32', shape: [shape.length], data: Int32Array.from(shape) });
        added.push({ ...t, name: `${t.name}/${label}`, inputs: [tensor, target], outputs: [out], options: { newShape: [...shape] } } as Node);
      } else {
        const perm = Array.from(graph.tensors.get(t.inputs[1]!)!.data as Int32Array);
        shape = perm.map((p) => shape[p]!);
        added.push({ ...t, name: `${t.name}/${label}`, inputs: [tensor, t.inputs[1]!], outputs: [out], options: {} } as Node);
      }
      graph.tensors.set(out, { name: out, dtype: 'float32', shape: [...shape] });
      derived.set(out, sources);
      tensor = out;
    }
    if (steps === 0) {
      renameTensor(graph, tensor, final); // the group itself is the output
      derived.set(final, sources);
    }
    results.push({ name: final, replaces: c.output, label, role: run[0]!.role, start: run[0]!.start, end: run.at(-1)!.end, axis: c.outputAxis });
  }
  // The concatenation and its layout ops go when nothing else reads them.
  const read = new Set(graph.nodes.filter((n) => n !== concat && !layout.includes(n)).flatMap((n) => n.inputs));
  const chain = [concat, ...layout];
  if (!chain.some((n) => read.has(n.outputs[0]!))) graph.nodes = graph.nodes.filter((n) => !chain.includes(n));
  graph.nodes.push(...added);
  return results;
}

/** `model` with every concatenated output of `head` split into its groups (a new model). */
export function splitConcatOutputs(model: ModelGraph, head: DetectorHead): SplitResult {
  const copy = cloneModel(model);
  const graph = mainGraph(copy);
  const derived = new Map<string, string[]>();
  const outputs: SplitOutput[] = [];
  for (const c of head.concatOutputs) {
    const parts = splitOne(graph, c, derived);
    outputs.push(...parts);
    graph.outputs = graph.outputs.flatMap((o) => (o === c.output ? parts.map((p) => p.name) : [o]));
    for (const s of copy.signatures) {
      s.outputs = Object.fromEntries(Object.entries(s.outputs).flatMap(([key, t]) => (t === c.output ? parts.map((p) => [`${key}_${p.label}`, p.name]) : [[key, t]])));
    }
  }
  pruneTensors(graph);
  return { model: copy, outputs, derived };
}

/** Calibration ranges for the tensors a split added, from the tensors they hold. */
export function splitStatistics(statistics: Statistics, derived: Map<string, string[]>): Statistics {
  const out = new Map(statistics);
  for (const [tensor, sources] of derived) {
    const ranges = sources.map((s) => statistics.get(s)).filter((r) => r !== undefined);
    if (ranges.length) out.set(tensor, { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) });
  }
  return out;
}
