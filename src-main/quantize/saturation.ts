// Where a saturating kernel's integer output stops changing. A sigmoid's int8 output is
// round(sigmoid(x)·256) − 128: every input below −6.9 gives −128 and every input above 5.3 gives
// 127. A tensor read only by such kernels needs no integer range beyond those inputs. Its values
// out there all give the same output, so clipping them is exact for what reads them, and the
// range left is stored in finer steps. A detector's class logits span −53..14 (the authored
// YOLOv8-style model) because background anchors are confident; its sigmoid only tells apart −6.9..5.3.
import { INTEGER_CODES } from '../graph/integer-codes';
import type { OpType } from '../graph/ops';
import type { ActivationType, TensorRange } from './qtypes';

interface Saturating {
  /** The function's open output range. */
  low: number;
  high: number;
  inverse: (y: number) => number;
}

const SATURATING: Partial<Record<OpType, Saturating>> = {
  LOGISTIC: { low: 0, high: 1, inverse: (y) => Math.log(y / (1 - y)) },
  TANH: { low: -1, high: 1, inverse: (y) => Math.atanh(y) },
};

/** A quarter step inside the extreme codes: inputs beyond these bounds round to those codes. */
const MARGIN = 0.25;

/**
 * The input range outside which `op` (with its fixed output `scale` and `zeroPoint` at `dtype`)
 * gives its lowest or highest integer output, or undefined when `op` does not saturate.
 */
export function saturationBounds(op: OpType, scale: number, zeroPoint: number, dtype: ActivationType): TensorRange | undefined {
  const f = SATURATING[op];
  if (!f) return undefined;
  const [qmin, qmax] = INTEGER_CODES[dtype];
  const lowest = Math.max(f.low, scale * (qmin - zeroPoint)) + MARGIN * scale;
  const highest = Math.min(f.high, scale * (qmax - zeroPoint)) - MARGIN * scale;
  return { min: f.inverse(lowest), max: f.inverse(highest) };
}

/** `range` without what lies beyond `bounds` (unchanged when it lies wholly beyond them). */
export function clipToSaturation(range: TensorRange, bounds: TensorRange): TensorRange {
  if (range.max <= bounds.min || range.min >= bounds.max) return range;
  return { min: Math.max(range.min, bounds.min), max: Math.min(range.max, bounds.max) };
}
