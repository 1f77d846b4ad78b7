// The int8 weight grid the static quantizer will use (symmetric, scale = max|w| / 127 per channel
// or per tensor), as a RoundingGrid. The element that sets each scale is pinned to ±127·scale so
// the compensated weights keep the same max and the quantizer re-derives the same scale. Weights
// on an integer lattice get the quantizer's lattice scale (int8LatticeScale): on it they round
// with no error, so compensation leaves them where they are and they are stored exactly.
import { int8LatticeScale, int8WeightScale, int8WeightValue } from '../math';
import type { RoundingGrid } from './compensate';
import type { CompensableLayer } from './layer-inputs';

export function symmetricInt8Grid(layer: CompensableLayer, perChannel: boolean): RoundingGrid {
  const data = layer.weights.data as Float32Array;
  const rows = Array.from({ length: layer.groups }, (_, g) => layer.rowsOf(g)).flat();
  const offsetsOf = new Map(rows.map((row) => [row, layer.weightOffsets(row)]));
  // Per row: the scale, and the patch index of the element holding the max (if this row has it).
  const scales = new Map<number, number>();
  const pins = new Map<number, { index: number; value: number }>();
  if (perChannel) {
    for (const [row, offsets] of offsetsOf) {
      let best = 0;
      offsets.forEach((at, i) => (Math.abs(data[at]!) > Math.abs(data[offsets[best]!]!) ? (best = i) : undefined));
      const max = Math.abs(data[offsets[best]!]!);
      const lattice = int8LatticeScale(offsets.map((at) => data[at]!), max);
      scales.set(row, lattice ?? int8WeightScale(max));
      if (max > 0) pins.set(row, { index: best, value: lattice ? data[offsets[best]!]! : Math.sign(data[offsets[best]!]!) * 127 * int8WeightScale(max) });
    }
  } else {
    let max = 0;
    let holder: { row: number; index: number; sign: number } | undefined;
    for (const [row, offsets] of offsetsOf) {
      offsets.forEach((at, i) => {
        if (Math.abs(data[at]!) > max) {
          max = Math.abs(data[at]!);
          holder = { row, index: i, sign: Math.sign(data[at]!) };
        }
      });
    }
    const lattice = int8LatticeScale(data, max);
    for (const row of rows) scales.set(row, lattice ?? int8WeightScale(max));
    if (holder) pins.set(holder.row, { index: holder.index, value: lattice ? holder.sign * max : holder.sign * 127 * int8WeightScale(max) });
  }
  return {
    weight: (value, row) => {
      const s = scales.get(row)!;
      return int8WeightValue(value, s) * s;
    },
    // int32 / int64 biases at s_in·s_w: their rounding is negligible, keep the exact value.
    bias: (value) => value,
    pinned: (row) => pins.get(row),
  };
}
