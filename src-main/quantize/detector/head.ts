// Finds the parts of a detector's graph that int8 treats badly, from its structure alone:
// - a CONCATENATION whose result becomes a graph output, possibly through TRANSPOSE ops (YOLOv8's
//   [1, 84, 8400]: 4 box coordinates in pixels next to 80 sigmoid scores), with its channel groups;
// - a DFL head: a SOFTMAX over bins read by a fixed weighted sum (a 1×1 conv or fully connected
//   layer with weights 0..N-1, or a MUL by 0..N-1 then SUM);
// - the head itself: every node between the outputs and the last learned layer on each path
//   (that layer included, the fixed DFL sum passed through), which the head-float and head-int16
//   fixes give a higher precision.
import { consumers, mainGraph, producers, type Graph, type ModelGraph, type Node } from '../../graph/model-graph';

export type GroupRole = 'boxes' | 'scores' | 'other';

/** One input of the output's concatenation: channels [start, end) along the output's axis. */
export interface OutputGroup {
  role: GroupRole;
  /** 'boxes', 'scores', or 'group<i>' when the role is not recognised (unique within the output). */
  label: string;
  tensor: string;
  start: number;
  end: number;
}

export interface ConcatOutput {
  output: string;
  concat: string;
  /** The concatenation's axis on its own output, and where that axis lands on the graph output. */
  concatAxis: number;
  outputAxis: number;
  /** The TRANSPOSE (and last-axis-keeping RESHAPE) nodes from the concatenation to the output, in order. */
  layout: string[];
  groups: OutputGroup[];
}

export interface DflHead {
  softmax: string;
  /** The fixed weighted sum reading the softmax (CONV_2D, FULLY_CONNECTED or MUL). */
  weightedSum: string;
  bins: number;
}

export interface DetectorHead {
  concatOutputs: ConcatOutput[];
  dfl: DflHead[];
  /** Node names of the head (see the file comment), in graph order. */
  nodes: string[];
}

const LEARNED = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'TRANSPOSE_CONV']);
/** Ops that only move or view values: a scores tensor stays a scores tensor through them. */
const VIEWS = new Set(['RESHAPE', 'TRANSPOSE', 'SQUEEZE', 'EXPAND_DIMS']);

function constantValues(graph: Graph, name: string | null | undefined): number[] | undefined {
  const t = name ? graph.tensors.get(name) : undefined;
  if (!t?.data || t.data instanceof BigInt64Array) return undefined;
  return Array.from(t.data as ArrayLike<number>);
}

function normalAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The op that made `tensor`, looking through views (reshape, transpose…). */
function sourceOp(tensor: string, made: Map<string, Node>): Node | undefined {
  let node = made.get(tensor);
  while (node && VIEWS.has(node.op)) node = made.get(node.inputs[0] ?? '');
  return node;
}

function roleOf(graph: Graph, tensor: string, size: number, made: Map<string, Node>): GroupRole {
  const op = sourceOp(tensor, made)?.op;
  if (op === 'LOGISTIC' || op === 'SOFTMAX') return 'scores';
  if (size === 4) return 'boxes';
  return 'other';
}

function concatOutput(graph: Graph, output: string, made: Map<string, Node>): ConcatOutput | undefined {
  const layout: Node[] = [];
  let node = made.get(output);
  while (node?.op === 'TRANSPOSE' || node?.op === 'RESHAPE') {
    layout.unshift(node);
    node = made.get(node.inputs[0] ?? '');
  }
  if (node?.op !== 'CONCATENATION') return undefined;
  const outShape = graph.tensors.get(node.outputs[0]!)!.shape;
  const concatAxis = normalAxis(node.options.axis, outShape.length);
  let outputAxis = concatAxis;
  for (const t of layout) {
    const from = graph.tensors.get(t.inputs[0]!)!.shape;
    const to = graph.tensors.get(t.outputs[0]!)!.shape;
    if (t.op === 'RESHAPE') {
      // Only a reshape of the leading dims keeps each group's channels together (as the last axis).
      if (outputAxis !== from.length - 1 || to.at(-1) !== from.at(-1)) return undefined;
      outputAxis = to.length - 1;
      continue;
    }
    const perm = constantValues(graph, t.inputs[1]);
    if (!perm) return undefined;
    outputAxis = perm.indexOf(outputAxis);
  }
  const groups: OutputGroup[] = [];
  let start = 0;
  for (const [i, input] of node.inputs.entries()) {
    const tensor = graph.tensors.get(input ?? '');
    if (!tensor || tensor.data) return undefined; // a constant part: not a head's output
    const size = tensor.shape[concatAxis]!;
    groups.push({ role: roleOf(graph, input!, size, made), label: `group${i}`, tensor: input!, start, end: start + size });
    start += size;
  }
  for (const role of ['boxes', 'scores'] as const) {
    const same = groups.filter((g) => g.role === role);
    if (same.length === 1) same[0]!.label = role;
  }
  return { output, concat: node.name, concatAxis, outputAxis, layout: layout.map((t) => t.name), groups };
}

const isRamp = (values: number[] | undefined, bins: number): boolean => values?.length === bins && values.every((v, i) => Math.abs(v - i) < 1e-6);

/** The fixed weighted sum reading a softmax over `bins`, if any (through views). */
function weightedSum(graph: Graph, softmax: Node, read: Map<string, Node[]>): Node | undefined {
  const bins = graph.tensors.get(softmax.outputs[0]!)!.shape.at(-1)!;
  let frontier = read.get(softmax.outputs[0]!) ?? [];
  while (frontier.length === 1 && VIEWS.has(frontier[0]!.op)) frontier = read.get(frontier[0]!.outputs[0]!) ?? [];
  const [next] = frontier;
  if (frontier.length !== 1 || !next) return undefined;
  if (next.op === 'CONV_2D' || next.op === 'FULLY_CONNECTED') {
    const w = graph.tensors.get(next.inputs[1] ?? '');
    const bias = constantValues(graph, next.inputs[2]);
    const outChannels = w?.shape[0];
    if (outChannels === 1 && isRamp(constantValues(graph, next.inputs[1]), bins) && (!bias || bias.every((b) => b === 0))) return next;
  }
  if (next.op === 'MUL' && isRamp(constantValues(graph, next.inputs[1]) ?? constantValues(graph, next.inputs[0]), bins)) return next;
  return undefined;
}

/** The head's nodes: back from every output until (and including) a learned layer; fixed DFL sums are passed through. */
function headNodes(graph: Graph, dfl: DflHead[], made: Map<string, Node>): string[] {
  const fixedSums = new Set(dfl.map((d) => d.weightedSum));
  const inHead = new Set<string>();
  const stack = [...graph.outputs];
  while (stack.length) {
    const node = made.get(stack.pop()!);
    if (!node || inHead.has(node.name)) continue;
    inHead.add(node.name);
    if (LEARNED.has(node.op) && !fixedSums.has(node.name)) continue;
    for (const input of node.inputs) if (input && !graph.tensors.get(input)?.data) stack.push(input);
  }
  return graph.nodes.filter((n) => inHead.has(n.name)).map((n) => n.name);
}

/**
 * The detector parts of `model`'s main graph; undefined when it has no concatenated output and no
 * DFL head, unless the caller knows it is a detector (its outputs are a decoder's: `isDetector`).
 */
export function findDetectorHead(model: ModelGraph, options: { isDetector?: boolean } = {}): DetectorHead | undefined {
  const graph = mainGraph(model);
  const made = producers(graph);
  const read = consumers(graph);
  const concatOutputs = graph.outputs.map((o) => concatOutput(graph, o, made)).filter((c): c is ConcatOutput => c !== undefined && c.groups.length > 1);
  const dfl: DflHead[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'SOFTMAX') continue;
    const sum = weightedSum(graph, node, read);
    if (sum) dfl.push({ softmax: node.name, weightedSum: sum.name, bins: graph.tensors.get(node.outputs[0]!)!.shape.at(-1)! });
  }
  if (!concatOutputs.length && !dfl.length && !options.isDetector) return undefined;
  return { concatOutputs, dfl, nodes: headNodes(graph, dfl, made) };
}
