// How a tensor reads in the Graph view's properties and the layer table: dtype[shape] and its
// quantization (per tensor: scale and zero point; per channel: count, range, first values).
import type { GraphViewTensor, QuantSummary } from '../../../src-main/graph-view/types';

const num = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? Number(x.toPrecision(4)).toString() : x.toExponential(3));

export function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? '?' : String(d))).join(',')}]`;
}

export function tensorType(t: GraphViewTensor): string {
  return `${t.dtype}${shapeText(t.shape)}`;
}

export function quantText(q: QuantSummary | undefined): string {
  if (!q) return '';
  if (q.count === 1) return `scale ${num(q.scale[0] ?? 0)}, zp ${q.zeroPoint[0] ?? 0}`;
  const zps = [...new Set(q.zeroPoint)];
  const zp = zps.length === 1 ? `zp ${zps[0]}` : `zp ${q.zeroPoint.join(',')}…`;
  return `${q.count} scales on axis ${q.axis ?? 0}: ${num(q.scaleMin)}…${num(q.scaleMax)} (${q.scale.map(num).join(', ')}, …), ${zp}`;
}
