// The layer table's rows: one per op of the graph shown (by default the converted file's fused
// ops, the source graph on request), each with its output tensor's dtype, shape and
// quantization, its weights, and the run's figures when there is a run: output SQNR by tensor
// name (the validation's per-tensor error), weight SQNR from the quantizer's report.
import type { GraphView, GraphViewNode, GraphViewTensor } from '../../../src-main/graph-view/types';
import type { RunRecord } from '../../../src-main/projects/types';
import { figuresFromRun, nodeFigures } from '../graph/overlay';

export interface LayerRow {
  index: number;
  node: string;
  op: string;
  output: GraphViewTensor | null;
  /** The node's first constant input with more than one element (its weights), if any. */
  weights: GraphViewTensor | null;
  weightSqnrDb: number | null;
  outputSqnrDb: number | null;
}

const finite = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

function weightsOf(view: GraphView, node: GraphViewNode): GraphViewTensor | null {
  for (const id of node.inputs) {
    const t = id === null ? undefined : view.tensors[id];
    if (t?.constant && t.shape.reduce((a, b) => a * b, 1) > 1) return t;
  }
  return null;
}

/**
 * The quantizer's report names the nodes of its own graph; the file's ops come in the same order
 * but are named by their output tensors. Match by name first, else the next report layer of the
 * same op in order (the writer keeps the graph order).
 */
function weightSqnr(view: GraphView, run: RunRecord): Map<number, number> {
  const report = run.quantization?.layers ?? [];
  const byName = new Map(report.map((l) => [l.node, l]));
  const out = new Map<number, number>();
  let cursor = 0;
  view.nodes.forEach((node, i) => {
    let layer = byName.get(node.name);
    if (!layer) {
      const next = report.findIndex((l, j) => j >= cursor && l.op === node.op);
      if (next >= 0) {
        layer = report[next];
        cursor = next + 1;
      }
    }
    const db = finite(layer?.weightSqnrDb);
    if (db !== null) out.set(i, db);
  });
  return out;
}

export function layerRows(view: GraphView, run?: RunRecord | null): LayerRow[] {
  const figures = run ? figuresFromRun(run) : null;
  const output = figures ? nodeFigures(view, figures) : new Map<number, number>();
  const weight = run ? weightSqnr(view, run) : new Map<number, number>();
  return view.nodes.map((node, i) => ({
    index: i + 1,
    node: node.name,
    op: node.op,
    output: node.outputs[0] === undefined ? null : (view.tensors[node.outputs[0]] ?? null),
    weights: weightsOf(view, node),
    weightSqnrDb: weight.get(i) ?? null,
    outputSqnrDb: finite(output.get(i)),
  }));
}
