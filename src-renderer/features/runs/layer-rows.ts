// The run's per-layer table, from the record: the quantizer's per-node report (precision, weight
// SQNR) joined with the validation's per-tensor error of the converted graph, by node name.
import type { RunRecord } from '../../../src-main/projects/types';

export interface LayerRow {
  node: string;
  op: string;
  precision: string;
  weightSqnrDb: number | null;
  outputSqnrDb: number | null;
}

const finite = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export function layerRows(run: RunRecord): LayerRow[] {
  const errors = new Map((run.layerErrors ?? []).map((e) => [e.node, e]));
  const report = run.quantization?.layers ?? [];
  if (report.length) {
    return report.map((l) => ({
      node: l.node,
      op: l.op,
      precision: l.weightDtype ? `${l.domain}, weights ${l.weightDtype}` : l.domain,
      weightSqnrDb: finite(l.weightSqnrDb),
      outputSqnrDb: finite(errors.get(l.node)?.sqnrDb ?? l.outputSqnrDb),
    }));
  }
  return (run.layerErrors ?? []).map((e) => ({ node: e.node, op: e.op, precision: '–', weightSqnrDb: null, outputSqnrDb: finite(e.sqnrDb) }));
}
