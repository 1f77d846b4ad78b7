// The per-layer error overlay: an SQNR per tensor (and per node name) from the debugger's report
// when the run was debugged (its accumulated error, as the whole quantized model carries it), else
// from the run record's per-layer table; each node takes the figure of its output tensor. Colours
// go by level, with a legend.
import type { DebugReport } from '../../../src-main/debug/types';
import type { GraphView } from '../../../src-main/graph-view/types';
import type { RunRecord } from '../../../src-main/projects/types';

export interface LayerFigures {
  /** What the figures are, for the legend. */
  source: string;
  byTensor: Map<string, number>;
  byNode: Map<string, number>;
}

/** Lower bounds (dB) of the levels, best first; below the last is level 4. */
export const LEVELS = [
  { min: 40, label: '≥ 40 dB' },
  { min: 30, label: '30–40 dB' },
  { min: 20, label: '20–30 dB' },
  { min: 10, label: '10–20 dB' },
  { min: -Infinity, label: '< 10 dB' },
] as const;

export function levelOf(db: number): number {
  const i = LEVELS.findIndex((l) => db >= l.min);
  return i < 0 ? LEVELS.length - 1 : i;
}

const finite = (x: number | undefined | null): x is number => typeof x === 'number' && Number.isFinite(x);

export function figuresFromDebug(report: DebugReport): LayerFigures | null {
  const byTensor = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const row of report.layers) {
    const db = row.accumulated?.sqnrDb ?? row.isolated?.sqnrDb;
    if (!finite(db)) continue;
    byTensor.set(row.tensor, db);
    byTensor.set(row.floatTensor, db);
    byNode.set(row.node, db);
  }
  const kind = report.layers.some((r) => finite(r.accumulated?.sqnrDb)) ? 'accumulated' : 'isolated';
  return byNode.size ? { source: `Debugger: ${kind} SQNR per layer (${report.samples} samples)`, byTensor, byNode } : null;
}

export function figuresFromRun(run: RunRecord): LayerFigures | null {
  const byTensor = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const e of run.layerErrors ?? []) {
    if (!finite(e.sqnrDb)) continue;
    byTensor.set(e.tensor, e.sqnrDb);
    byNode.set(e.node, e.sqnrDb);
  }
  for (const l of run.quantization?.layers ?? []) if (finite(l.outputSqnrDb) && !byNode.has(l.node)) byNode.set(l.node, l.outputSqnrDb);
  return byNode.size || byTensor.size ? { source: "Run's per-layer output SQNR, quantized vs float", byTensor, byNode } : null;
}

/** SQNR of each node of the view (by GraphView node index) that the figures cover. */
export function nodeFigures(view: GraphView, figures: LayerFigures): Map<number, number> {
  const out = new Map<number, number>();
  view.nodes.forEach((node, i) => {
    for (const t of node.outputs) {
      const db = figures.byTensor.get(view.tensors[t]?.name ?? '');
      if (db !== undefined) return void out.set(i, db);
    }
    const db = figures.byNode.get(node.name);
    if (db !== undefined) out.set(i, db);
  });
  return out;
}

/** Tensor name → the node (index) that writes it: how a node finds its twin in another pane. */
export function tensorProducers(view: GraphView | null): ReadonlyMap<string, number> {
  const map = new Map<string, number>();
  view?.nodes.forEach((n, i) => n.outputs.forEach((t) => map.set(view.tensors[t]?.name ?? '', i)));
  return map;
}

export const NO_FIGURES: ReadonlyMap<number, number> = new Map();
