// Bias correction for weights rounded to nearest on the int8 grid. The rounding error E of a
// layer's weights is small per weight, but its dot product with the MEAN of the layer's input
// patches shifts every output of a channel by the same amount; where the input has a large mean
// next to a small spread (after a max-pool of leaky ReLUs, say) that shift dominates the layer's
// error and every later layer carries it (NanoDet's second stem conv: its layer SQNR goes from
// 30 to 44 dB without the shift, the whole model's from 18 to 32 dB with only the weights
// rounded). Here the mean patch of each layer is measured on the calibration samples of the
// float graph and the bias absorbs −E·mean, so the stored layer is right on average.
// The patch sums are exact (every output position) and cheap: a window offset's sum over all
// positions is two small products on the backend (input-means.ts), so calibration's own pass
// sums them and only a run without that pass (dynamic range, ranges given by the caller) reads
// the samples once more (`measureMeanPatches`).
import type { Graph, Node } from '../../graph/model-graph';
import { quantizeWeightsSymmetric } from '../math';
import { compensableLayer, type CompensableLayer } from './layer-inputs';

export interface BiasCorrectionTarget {
  node: Node;
  /** The per-channel axis the weights will be stored with; undefined: one scale for the tensor. */
  axis: number | undefined;
}

export interface BiasCorrectionResult {
  corrected: string[];
  skipped: { node: string; reason: string }[];
  samples: number;
}

/** One layer's patch sums: Σ patch per group (groups × fanIn) and the patches summed per group. */
export interface PatchSums {
  sums: Float64Array;
  counts: Float64Array;
}

/** The patch sums of `layers` over a pass (`count` samples), in `layers` order. */
export interface MeanPatches {
  layers: string[];
  sums: PatchSums[];
  count: number;
}

export function emptyPatchSums(layer: CompensableLayer): PatchSums {
  return { sums: new Float64Array(layer.groups * layer.fanIn), counts: new Float64Array(layer.groups) };
}

/** Sums over disjoint samples (another worker's) added into `into`: exact up to float64 rounding. */
export function addPatchSums(into: PatchSums[], other: PatchSums[]): void {
  into.forEach((acc, i) => {
    const more = other[i]!;
    for (let j = 0; j < acc.sums.length; j++) acc.sums[j] += more.sums[j]!;
    for (let g = 0; g < acc.counts.length; g++) acc.counts[g] += more.counts[g]!;
  });
}

/**
 * The input positions a window offset reads along one axis of `size` (`out` outputs, `before`
 * padding positions first): every stride-th from `first` to `last` (padding reads nothing;
 * last < first: the offset reads only padding).
 */
export function offsetSpan(size: number, out: number, before: number, offset: number, stride: number): { first: number; last: number } {
  const lo = Math.max(0, Math.ceil((before - offset) / stride));
  const hi = Math.min(out - 1, Math.floor((size - 1 + before - offset) / stride));
  return lo > hi ? { first: 0, last: -1 } : { first: lo * stride - before + offset, last: hi * stride - before + offset };
}

/** The layers among `targets` bias correction can shift, and why the others cannot. */
export function correctableLayers(graph: Graph, nodes: readonly Node[]): { layers: CompensableLayer[]; skipped: BiasCorrectionResult['skipped'] } {
  const layers: CompensableLayer[] = [];
  const skipped: BiasCorrectionResult['skipped'] = [];
  for (const node of nodes) {
    const layer = compensableLayer(graph, node);
    if (typeof layer === 'string') skipped.push({ node: node.name, reason: layer });
    else if (!layer.bias) skipped.push({ node: node.name, reason: 'no bias to correct' });
    else layers.push(layer);
  }
  return { layers, skipped };
}

/**
 * Shifts the float bias of each target in `graph` (weights still float, about to be stored int8
 * by `quantizeWeightsSymmetric` with the target's axis) by −E·mean patch, the means from
 * `means` (by layer name). Bias arrays are replaced, never written.
 */
export function correctBiases(graph: Graph, targets: readonly BiasCorrectionTarget[], means: MeanPatches): BiasCorrectionResult {
  const { layers, skipped } = correctableLayers(graph, targets.map((t) => t.node));
  const axisOf = new Map(targets.map((t) => [t.node.name, t.axis]));
  const byName = new Map(means.layers.map((name, i) => [name, means.sums[i]!]));
  const corrected: string[] = [];
  for (const layer of layers) {
    const sums = byName.get(layer.node.name);
    if (!sums || means.count === 0) skipped.push({ node: layer.node.name, reason: 'no mean input measured' });
    else {
      applyShift(layer, axisOf.get(layer.node.name), sums);
      corrected.push(layer.node.name);
    }
  }
  return { corrected, skipped, samples: corrected.length ? means.count : 0 };
}

/** bias[row] −= Σ_k E[row, k] · mean patch[k], E the nearest int8 rounding error of the weights. */
function applyShift(layer: CompensableLayer, axis: number | undefined, { sums, counts }: PatchSums): void {
  const w = layer.weights.data as Float32Array;
  const { values, quant } = quantizeWeightsSymmetric(w, layer.weights.shape, axis);
  const inner = axis === undefined ? w.length : layer.weights.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = quant.scale.length;
  // E once for every weight (its channel's scale looked up once per run of `inner` weights).
  const error = new Float64Array(w.length);
  for (let start = 0; start < w.length; start += inner) {
    const scale = quant.scale[axis === undefined ? 0 : Math.floor(start / inner) % channels]!;
    for (let i = start; i < Math.min(start + inner, w.length); i++) error[i] = values[i]! * scale - w[i]!;
  }
  const bias = Float32Array.from(layer.bias!.data as Float32Array);
  const mean = new Float64Array(layer.fanIn);
  for (let group = 0; group < layer.groups; group++) {
    const n = counts[group]!;
    if (n === 0) continue;
    const base = group * layer.fanIn;
    for (let k = 0; k < layer.fanIn; k++) mean[k] = sums[base + k]! / n;
    for (const row of layer.rowsOf(group)) {
      const { first, step } = layer.weightStride(row); // not weightOffsets: an array per row cost more than the sum
      let shift = 0;
      for (let k = 0, at = first; k < layer.fanIn; k++, at += step) shift += error[at]! * mean[k]!;
      bias[row] = bias[row]! - shift;
    }
  }
  layer.bias!.data = bias;
}
