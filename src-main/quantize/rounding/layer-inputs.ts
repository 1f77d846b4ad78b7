// The linear layers whose weight rounding can be compensated, and how each sees its input: the
// input vector ("patch") that one output value is a dot product with. Conv and fully-connected
// layers share one patch space across output channels; a depthwise layer has one per channel.
import type { Graph, Node, Tensor } from '../../graph/model-graph';

export interface CompensableLayer {
  node: Node;
  weights: Tensor;
  bias: Tensor | undefined;
  /** Patch length without the bias column. */
  fanIn: number;
  /** Independent patch spaces (1, or the input channels of a depthwise layer). */
  groups: number;
  /** Output channels (weight rows) whose patches come from `group`. */
  rowsOf(group: number): number[];
  /** Element offsets of row `row`'s weights, in patch order. */
  weightOffsets(row: number): number[];
  /** The same offsets as a progression, first + k·step (k < fanIn), for loops that allocate nothing. */
  weightStride(row: number): { first: number; step: number };
  /**
   * Calls `visit(group, patch)` for every output position, or for about one in `thin` of them
   * (a fixed hash of the position picks which, so no row or column pattern is favoured);
   * `patch` (length fanIn + 1 with bias) is reused.
   */
  forEachPatch(values: Float32Array, shape: readonly number[], visit: (group: number, patch: Float64Array) => void, thin?: number): void;
  /** Output positions per sample for an input of `shape`. */
  positions(shape: readonly number[]): number;
  /** The window each output reads (for patch extraction on the tfjs backend). */
  window: PatchWindow;
}

/** Fully connected: consecutive runs of fanIn values; conv / depthwise: a kh×kw window. */
export type PatchWindow =
  | { kind: 'dense' }
  | { kind: 'conv' | 'depthwise'; kh: number; kw: number; strideH: number; strideW: number; dilationH: number; dilationW: number; padding: string };

/** A layer whose input turns out (at run time) not to fit the patch model: a bug, not bad data. */
export class PatchShapeError extends Error {
  override name = 'PatchShapeError';
}

/** Largest patch handled: the rounding solves K×K systems, O(K³). */
export const MAX_FAN_IN = 2304;

function usedOnce(graph: Graph, name: string): boolean {
  let uses = 0;
  for (const n of graph.nodes) for (const i of n.inputs) if (i === name) uses++;
  return uses === 1;
}

/** Whether `position` is among the ~1/`thin` positions kept (an integer hash, fixed per position). */
export function kept(position: number, thin: number): boolean {
  if (thin <= 1) return true;
  let h = Math.imul(position ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % thin === 0;
}

/** One spatial axis of a window: output length and the padding before the first input. */
export function windowAxis(size: number, kernel: number, stride: number, dilation: number, padding: string): { out: number; before: number } {
  const span = (kernel - 1) * dilation + 1;
  if (padding !== 'SAME') return { out: Math.floor((size - span) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  return { out, before: Math.max(0, Math.floor(((out - 1) * stride + span - size) / 2)) };
}

/**
 * first, first + step, … (n values), in a plain loop: Array.from with a mapping function costs
 * ~35 ns a value (measured 2026-12-04), and rounding and its grid ask for every row's offsets.
 */
function arithmetic(first: number, step: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(first + i * step);
  return out;
}

/** A layer this graph can compensate, or why not. */
export function compensableLayer(graph: Graph, node: Node): CompensableLayer | string {
  if (node.op !== 'CONV_2D' && node.op !== 'DEPTHWISE_CONV_2D' && node.op !== 'FULLY_CONNECTED') return 'not a linear layer';
  const weights = graph.tensors.get(node.inputs[1] ?? '');
  if (!weights?.data || weights.dtype !== 'float32') return 'weights are not float constants';
  const biasName = node.inputs[2] ?? null;
  const bias = biasName === null ? undefined : graph.tensors.get(biasName);
  if (bias && (!bias.data || bias.dtype !== 'float32')) return 'bias is not a float constant';
  if (!usedOnce(graph, weights.name) || (bias && !usedOnce(graph, bias.name))) return 'weights shared with another op';
  const shape = weights.shape;
  if (node.op === 'FULLY_CONNECTED') {
    const [rows, fanIn] = shape as [number, number];
    if (shape.length !== 2 || fanIn > MAX_FAN_IN) return `fan-in ${fanIn} above ${MAX_FAN_IN}`;
    return {
      node, weights, bias, fanIn, groups: 1, window: { kind: 'dense' },
      rowsOf: () => Array.from({ length: rows }, (_, o) => o),
      weightOffsets: (row) => arithmetic(row * fanIn, 1, fanIn),
      weightStride: (row) => ({ first: row * fanIn, step: 1 }),
      positions: (inShape) => Math.max(1, Math.floor(inShape.reduce((a, b) => a * Math.max(b, 1), 1) / fanIn)),
      forEachPatch(values, _shape, visit, thin = 1) {
        const patch = new Float64Array(fanIn + (bias ? 1 : 0));
        if (bias) patch[fanIn] = 1;
        for (let start = 0; start + fanIn <= values.length; start += fanIn) {
          if (!kept(start / fanIn, thin)) continue;
          for (let i = 0; i < fanIn; i++) patch[i] = values[start + i]!;
          visit(0, patch);
        }
      },
    };
  }
  const o = node.options as { padding: string; strideH: number; strideW: number; dilationH: number; dilationW: number; depthMultiplier?: number };
  const [, kh, kw, last] = shape as [number, number, number, number];
  const depthwise = node.op === 'DEPTHWISE_CONV_2D';
  const inputChannels = graph.tensors.get(node.inputs[0] ?? '')?.shape[3];
  if (!depthwise && inputChannels !== last) return `input has ${inputChannels} channels, weights expect ${last} (grouped convolution)`;
  const fanIn = depthwise ? kh * kw : kh * kw * last;
  if (fanIn > MAX_FAN_IN) return `fan-in ${fanIn} above ${MAX_FAN_IN}`;
  const channelsOut = depthwise ? last : shape[0]!;
  const multiplier = depthwise ? Math.max(1, o.depthMultiplier ?? 1) : 1;
  const geometry = (inShape: readonly number[]) => {
    const [, h, w, c] = inShape as [number, number, number, number];
    const rows = windowAxis(h, kh, o.strideH, o.dilationH, o.padding);
    const cols = windowAxis(w, kw, o.strideW, o.dilationW, o.padding);
    return { h, w, c, rows, cols };
  };
  return {
    node, weights, bias, fanIn,
    window: { kind: depthwise ? 'depthwise' : 'conv', kh, kw, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW, padding: o.padding },
    groups: depthwise ? channelsOut / multiplier : 1,
    rowsOf: (group) => (depthwise ? Array.from({ length: multiplier }, (_, m) => group * multiplier + m) : Array.from({ length: channelsOut }, (_, r) => r)),
    weightStride: (row) => (depthwise ? { first: row, step: channelsOut } : { first: row * fanIn, step: 1 }),
    weightOffsets: (row) => (depthwise ? arithmetic(row, channelsOut, fanIn) : arithmetic(row * fanIn, 1, fanIn)),
    positions: (inShape) => {
      const { rows, cols } = geometry(inShape);
      return rows.out * cols.out;
    },
    forEachPatch(values, inShape, visit, thin = 1) {
      const { h, w, c, rows, cols } = geometry(inShape);
      if (!depthwise && c !== last) throw new PatchShapeError(`input has ${c} channels, weights expect ${last} (grouped convolution)`);
      const patch = new Float64Array(fanIn + (bias ? 1 : 0));
      if (bias) patch[fanIn] = 1;
      const groups = depthwise ? c : 1;
      for (let n = 0; n * h * w * c < values.length; n++) {
        const base = n * h * w * c;
        for (let position = 0; position < rows.out * cols.out; position++) {
          if (!kept(position, thin)) continue;
          const y = Math.floor(position / cols.out);
          const x = position % cols.out;
          for (let g = 0; g < groups; g++) {
            let k = 0;
            for (let dy = 0; dy < kh; dy++) {
              const iy = y * o.strideH - rows.before + dy * o.dilationH;
              for (let dx = 0; dx < kw; dx++) {
                const ix = x * o.strideW - cols.before + dx * o.dilationW;
                const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                const at = base + (iy * w + ix) * c;
                if (depthwise) patch[k++] = inside ? values[at + g]! : 0;
                else for (let ch = 0; ch < c; ch++) patch[k++] = inside ? values[at + ch]! : 0;
              }
            }
            visit(g, patch);
          }
        }
      }
    },
  };
}
