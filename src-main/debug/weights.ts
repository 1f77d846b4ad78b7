// Weight statistics of one quantized layer: how unevenly its output channels use their range
// (the reason per-tensor scales fail) and how much the stored weights lost.
import type { Graph, Node } from '../graph/model-graph';
import { constantAsFloat } from '../graph/execute/constants';
import { opFacts } from '../quantize/op-facts';
import { sqnrDb } from '../validation/sqnr';
import type { WeightStats } from './types';

/** Per-channel absolute max of `values` laid out as `shape`, channels along `axis`. */
function channelRanges(values: Float32Array, shape: readonly number[], axis: number): Float64Array {
  const channels = shape[axis] ?? 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * Math.max(b, 1), 1);
  const ranges = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const v = Math.abs(values[i]!);
    if (v > ranges[c]!) ranges[c] = v;
  }
  return ranges;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function weightStats(float: Graph, quant: Graph, floatNode: Node, quantNode: Node): WeightStats | undefined {
  const facts = opFacts(quantNode.op)?.weights;
  if (!facts) return undefined;
  const floatWeights = float.tensors.get(floatNode.inputs[facts.input] ?? '');
  const stored = quant.tensors.get(quantNode.inputs[facts.input] ?? '');
  if (!floatWeights?.data || !stored?.data || floatWeights.dtype !== 'float32') return undefined;
  const values = floatWeights.data as Float32Array;
  const axis = stored.quant && stored.quant.scale.length > 1 ? (stored.quant.axis ?? facts.channelAxis) : facts.channelAxis;
  const ranges = channelRanges(values, floatWeights.shape, axis);
  const mid = median(ranges);
  const ratio = (r: number): number => (mid > 0 ? r / mid : r > 0 ? Infinity : 1);
  const outliers = [...ranges.entries()]
    .map(([channel, r]) => ({ channel, ratio: ratio(r) }))
    .filter((o) => o.ratio >= 10)
    .sort((a, b) => b.ratio - a.ratio)
    .slice(0, 5);
  return {
    channels: ranges.length,
    rangeSpread: ratio(Math.max(...ranges)),
    outlierChannels: outliers,
    sqnrDb: sqnrDb(values, constantAsFloat(stored)),
    granularity: stored.quant && stored.quant.scale.length > 1 ? 'channel' : 'tensor',
  };
}
