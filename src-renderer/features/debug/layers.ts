// Pure helpers of the Debug view: the sort keys of the per-layer table, which rows are bad,
// and the keep-float request derived from a run's request.
import type { LayerDebugRow } from '../../../src-main/debug/types';
import type { ConvertRequest } from '../../../src-main/convert/types';

export type LayerSortKey = 'order' | 'accumulated' | 'isolated' | 'sensitivity' | 'saturation';

/** Lower = worse for the SQNR keys (sorted ascending first); higher = worse for saturation. */
function value(row: LayerDebugRow, key: Exclude<LayerSortKey, 'order'>): number {
  switch (key) {
    case 'accumulated': return row.accumulated?.sqnrDb ?? Infinity;
    case 'isolated': return row.isolated?.sqnrDb ?? Infinity;
    case 'sensitivity': return row.sensitivity?.aloneQuantizedDb ?? Infinity;
    case 'saturation': return -(row.isolated?.saturation ?? 0);
  }
}

/** Rows in graph order, or worst first by `key` (descending flips it). */
export function sortLayers(rows: LayerDebugRow[], key: LayerSortKey, descending: boolean): LayerDebugRow[] {
  if (key === 'order') return descending ? [...rows].reverse() : rows;
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => dir * (value(a, key) - value(b, key)));
}

/** A layer the debugger gave a reason for is one to look at. */
export const isBad = (row: LayerDebugRow) => row.reasons.length > 0;

/** The run's request with these float tensors added to its keep-float rules (no duplicates). */
export function withKeepFloat(request: ConvertRequest, tensors: string[]): ConvertRequest {
  const keep = [...(request.quantize.keepFloat ?? [])];
  for (const t of tensors) if (!keep.includes(t)) keep.push(t);
  return { ...request, quantize: { ...request.quantize, keepFloat: keep } };
}

/** Float tensors of every layer of one op type. */
export const tensorsOfOp = (rows: LayerDebugRow[], op: string) => rows.filter((r) => r.op === op).map((r) => r.floatTensor);
