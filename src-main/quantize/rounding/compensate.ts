// Error-compensated weight rounding (GPTQ-style, with the upstream error folded in): layer by
// layer, in graph order, choose each layer's representable weights so that its outputs on the
// calibration data stay close to the float model's, given the inputs it really receives from
// the already-rounded layers before it. Nearest rounding treats every weight alone; here the
// error of each rounded weight is pushed onto the weights not yet rounded (and finally the bias),
// weighted by how the layer's inputs co-vary (H = Σ x·xᵀ over all input patches).
import { CancelledError } from '../../errors';
import { createExecutor, type GraphExecutor, type GraphInputs } from '../../graph/execute';
import type { Graph, Node } from '../../graph/model-graph';
import { initTfjs } from '../../graph/tfjs-backend';
import { QuantizeInputError } from '../errors';
import { accumulate, type Accumulators, type Captured, type PassFeed } from './accumulate';
import type { GptqTap } from './calibration-tap';
import { graphAfter, graphCuts, latestCutBefore, type Cut } from './checkpoints';
import { compensableLayer, type CompensableLayer } from './layer-inputs';
import { ROWS_AT_ONCE, roundRows } from './nearest-plane';
import { accumulateInWorkers } from './split-pass';
import { choleskyLower, choleskyLowerInPlace, choleskySolve, damped, NotPositiveDefiniteError, reversedTranspose } from './linear-algebra';

/** Representable values of one layer's constants. */
export interface RoundingGrid {
  weight(value: number, row: number): number;
  bias(value: number, row: number): number;
  /** A weight (patch index) that must keep a given value, e.g. the channel max that sets an int8 scale. */
  pinned?(row: number): { index: number; value: number } | undefined;
}

export interface CompensationOptions {
  /** Fold the error of the already-rounded layers before each layer into it (one pass per layer). */
  correctUpstream?: boolean;
  /** Layers to consider (default: every linear layer). */
  include?: (node: Node) => boolean;
  /** Memory for checkpoint values (default 192 MiB; 0 runs every pass from the graph inputs). */
  checkpointBudgetBytes?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Compute workers for the statistics of the one pass without upstream correction (default 1:
   * this thread). The per-layer passes with correction replay checkpoints and stay here.
   */
  workers?: number;
  /**
   * Statistics calibration's pass already summed (float layer inputs, by layer name): without
   * `correctUpstream`, a run whose layers all have them makes no pass of its own.
   */
  tapped?: GptqTap;
}

/** The tapped sums of `layers`, in their order, when the tap has every one. */
function tappedSums(tap: GptqTap | undefined, layers: CompensableLayer[]): { accs: Accumulators[]; count: number } | undefined {
  const sums = tap?.sums;
  if (!sums) return undefined;
  const byName = new Map(tap.layers.map((layer, i) => [layer.node.name, sums.accs[i]!]));
  const accs = layers.map((layer) => byName.get(layer.node.name));
  return accs.every((acc) => acc !== undefined) ? { accs, count: sums.count } : undefined;
}

export interface CompensationResult {
  /** Layers whose weights were chosen by compensation. */
  compensated: string[];
  /** Linear layers left to nearest rounding, and why. */
  skipped: { node: string; reason: string }[];
  samples: number;
  /** Passes that started at a checkpoint instead of the graph inputs. */
  passesFromCheckpoint: number;
}

/**
 * Relative diagonal loading of H for the rounding factor: as little as the matrix allows (H is
 * summed in float32 and nearly singular when inputs are collinear), raised step by step.
 */
export const ROUNDING_DAMPING = [1e-6, 1e-4, 1e-2, 1e-1];
/** Relative diagonal loading for the upstream-error correction (keeps it to directions the data spans). */
const CORRECTION_DAMPING = 1e-2;

/**
 * Scratch space of the per-layer solve, reused from layer to layer: allocating (and zeroing) a
 * K×K float64 array costs about as much as reading it, ~30 ms for K = 961.
 */
export class SolveSpace {
  private buffers: Float64Array[] = [];

  /** Buffer `index`, at least `length` long (contents left from earlier use). */
  buffer(index: number, length: number): Float64Array {
    const held = this.buffers[index];
    if (held && held.length >= length) return held;
    const fresh = new Float64Array(length);
    this.buffers[index] = fresh;
    return fresh;
  }
}

/**
 * The rounding factor: lower M with H' = Mᵀ·M, row-major in `space` (its upper triangle is
 * stale), for H' = P·H·Pᵀ in the rounding order `order`, diagonally loaded. (GPTQ's upper
 * Cholesky factor of H'⁻¹ is M⁻ᵀ; rounding with M directly needs one Cholesky instead of a
 * Cholesky and an inverse.) One pass writes J·H'·J (J the index reversal, loaded) into the
 * buffer the Cholesky runs in: J·H'·J = C·Cᵀ gives M = J·Cᵀ·J (as `lowerRightFactor`). Only
 * lower triangles are touched. `rankDeficient` (H summed from fewer patches than K) skips the
 * least loading: it is below such a matrix's float rounding and fails late in the factor
 * (MobileNetV2's classifier, 100 patches for K = 1281: at pivot 1072), a wasted 0.6 of a factor.
 */
export function roundingFactor(h: Float64Array, k: number, order: Int32Array, space = new SolveSpace(), rankDeficient = false): Float64Array {
  const c = space.buffer(0, k * k);
  // The mean diagonal in rounding order, summed in that order (as `damped` on P·H·Pᵀ).
  let mean = 0;
  for (let i = 0; i < k; i++) mean += h[order[i]! * (k + 1)]!;
  mean = mean / k || 1;
  let failure: NotPositiveDefiniteError | undefined;
  for (const damping of rankDeficient ? ROUNDING_DAMPING.slice(1) : ROUNDING_DAMPING) {
    for (let i = 0; i < k; i++) {
      const from = order[k - 1 - i]! * k;
      const row = i * k;
      for (let j = 0; j < i; j++) c[row + j] = h[from + order[k - 1 - j]!]!;
      // Dead inputs (zero diagonal) get 1 before the loading, as in `damped`.
      const diagonal = h[from + order[k - 1 - i]!]!;
      c[row + i] = (diagonal === 0 ? 1 : diagonal) + damping * mean;
    }
    try {
      choleskyLowerInPlace(c, k);
      return reversedTranspose(c, k, space.buffer(1, k * k));
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError)) throw error;
      failure = error; // numerically indefinite at this loading: try the next one
    }
  }
  throw failure!;
}

/**
 * Memory for checkpoint values (float and rounded, all samples): a 224×224 MobileNetV2 fits its
 * 56×56×24 cuts for 100 samples; larger cuts are passed over for a later, smaller one.
 */
const CHECKPOINT_BUDGET_BYTES = 192 * 1024 * 1024;

/** Both graphs list the same nodes (a cut of one is a cut of the other). */
function sameNodes(a: Graph, b: Graph): boolean {
  return a.nodes.length === b.nodes.length && a.nodes.every((node, i) => node.op === b.nodes[i]!.op && node.outputs.join() === b.nodes[i]!.outputs.join());
}

async function* replay(values: Captured): AsyncIterable<{ reference: GraphInputs; current: GraphInputs }> {
  for (let i = 0; i < values.reference.length; i++) yield { reference: values.reference[i]!, current: values.current[i]! };
}

/**
 * The weights that map the inputs a layer now receives onto its float outputs, for all rows:
 * w + (H + λI)⁻¹·D·w. In float64: at FP16's error level a float32 product loses ~2 dB.
 */
function correctedRows(rows: Float64Array, count: number, h: Float64Array, d: Float64Array, k: number): void {
  // One Cholesky and two triangular solves per row (no explicit inverse: K³ fewer operations).
  const l = choleskyLower(damped(h, k, CORRECTION_DAMPING), k);
  const dw = new Float64Array(k);
  for (let r = 0; r < count; r++) {
    const w = rows.subarray(r * k, (r + 1) * k);
    for (let i = 0; i < k; i++) {
      let s = 0;
      const base = i * k;
      for (let j = 0; j < k; j++) s += d[base + j]! * w[j]!;
      dw[i] = s;
    }
    const delta = choleskySolve(l, dw, k);
    for (let i = 0; i < k; i++) w[i] += delta[i]!;
  }
}

function roundLayer(layer: CompensableLayer, reference: Graph, acc: Accumulators, grid: RoundingGrid, space: SolveSpace): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const sourceWeights = reference.tensors.get(layer.weights.name)!.data as Float32Array;
  const sourceBias = layer.bias ? (reference.tensors.get(layer.bias.name)!.data as Float32Array) : undefined;
  const weights = Float32Array.from(sourceWeights);
  const bias = sourceBias ? Float32Array.from(sourceBias) : undefined;
  const v = new Float64Array(ROWS_AT_ONCE * k);
  const e = new Float64Array(ROWS_AT_ONCE * k);
  for (let g = 0; g < layer.groups; g++) {
    const h = acc.h[g]!;
    const d = acc.d[g];
    const rowIds = layer.rowsOf(g);
    const rows = new Float64Array(rowIds.length * k);
    const offsetsOf = rowIds.map((row) => layer.weightOffsets(row));
    rowIds.forEach((row, r) => {
      offsetsOf[r]!.forEach((at, i) => (rows[r * k + i] = sourceWeights[at]!));
      if (sourceBias) rows[r * k + k - 1] = sourceBias[row]!;
    });
    if (d) correctedRows(rows, rowIds.length, h, d, k);
    // Round the inputs with the most energy first (GPTQ's "act order"); the bias stays last so
    // it absorbs what is left.
    const weightsEnd = sourceBias ? k - 1 : k;
    const order = Int32Array.from({ length: k }, (_, i) => i);
    order.subarray(0, weightsEnd).set(Array.from({ length: weightsEnd }, (_, i) => i).sort((a, b) => h[b * k + b]! - h[a * k + a]!));
    const m = roundingFactor(h, k, order, space, acc.patches < k); // row-major, in `order`
    for (let first = 0; first < rowIds.length; first += ROWS_AT_ONCE) {
      const block = rowIds.slice(first, first + ROWS_AT_ONCE);
      for (let b = 0; b < block.length; b++) {
        const from = (first + b) * k;
        for (let i = 0; i < k; i++) v[b * k + i] = rows[from + order[i]!]!;
      }
      const pins = block.map((row) => grid.pinned?.(row));
      roundRows(m, k, v, e, block.length, (b, i, target) => {
        const row = block[b]!;
        if (pins[b]?.index === order[i]) return pins[b]!.value;
        return sourceBias !== undefined && order[i] === k - 1 ? grid.bias(target, row) : grid.weight(target, row);
      });
      block.forEach((row, b) => {
        const offsets = offsetsOf[first + b]!;
        for (let i = 0; i < k; i++) {
          const at = order[i]!;
          if (at < layer.fanIn) weights[offsets[at]!] = v[b * k + i]!;
          else if (bias) bias[row] = v[b * k + i]!;
        }
      });
    }
  }
  layer.weights.data = weights;
  if (layer.bias && bias) layer.bias.data = bias;
}

/**
 * Rewrites, in `target`, the weights (and biases) of every compensable linear layer with values
 * on `gridFor(layer)` (a reason string instead leaves the layer to nearest rounding). `reference` is the float graph (same tensor names), `target` the graph as
 * it will run (its other constants already rounded). With `correctUpstream` each layer also
 * absorbs the error of the layers before it, at one pass over `samples` per layer; without it
 * one pass serves all layers.
 */
export async function compensateWeightRounding(
  reference: Graph,
  target: Graph,
  gridFor: (layer: CompensableLayer) => RoundingGrid | string,
  samples: () => AsyncIterable<GraphInputs>,
  options: CompensationOptions = {},
): Promise<CompensationResult> {
  const result: CompensationResult = { compensated: [], skipped: [], samples: 0, passesFromCheckpoint: 0 };
  const layers: CompensableLayer[] = [];
  const grids = new Map<CompensableLayer, RoundingGrid>();
  for (const node of target.nodes) {
    if (options.include && !options.include(node)) continue;
    const layer = compensableLayer(target, node);
    if (typeof layer === 'string') {
      if (layer !== 'not a linear layer') result.skipped.push({ node: node.name, reason: layer });
      continue;
    }
    const grid = gridFor(layer);
    if (typeof grid === 'string') {
      result.skipped.push({ node: node.name, reason: grid });
      continue;
    }
    layers.push(layer);
    grids.set(layer, grid);
  }
  const tf = await initTfjs();
  const space = new SolveSpace();
  const round = (layer: CompensableLayer, acc: Accumulators): void => {
    try {
      roundLayer(layer, reference, acc, grids.get(layer)!, space);
      result.compensated.push(layer.node.name);
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError)) throw error;
      result.skipped.push({ node: layer.node.name, reason: `input statistics are singular (${error.message})` });
    }
  };
  // Without upstream correction one pass serves all layers. With it, each layer needs a pass of
  // its own over the graph with every layer before it rounded: sharing a pass between two
  // consecutive layers makes the second re-correct the error the first already absorbed
  // (measured: vww fp16 72 → 65 dB with 2 layers per pass, 14 dB with 4). Those passes start at
  // a checkpoint: the values crossing a cut behind the layers already final, kept from the pass
  // before (float and rounded), so the prefix of the graph runs once instead of once per layer.
  const block = options.correctUpstream ? 1 : layers.length;
  const cuts = options.correctUpstream && sameNodes(reference, target) ? graphCuts(target) : [];
  const nodeIndex = new Map(target.nodes.map((node, i) => [node, i]));
  const fromInputs = async function* (): AsyncIterable<{ reference: GraphInputs; current: GraphInputs }> {
    for await (const sample of samples()) yield { reference: sample, current: sample };
  };
  const exact = await createExecutor(reference);
  let checkpoint: { cut: Cut; reference: GraphExecutor; values: Captured } | undefined;
  try {
    for (let start = 0; start < layers.length; start += block) {
      const group = layers.slice(start, start + block);
      // The sample count is known from the first pass on (result.samples), and with it the cost of a cut.
      const next =
        result.samples > 0 && cuts.length
          ? latestCutBefore(cuts, checkpoint?.cut.after ?? -1, nodeIndex.get(group[0]!.node)!, result.samples, options.checkpointBudgetBytes ?? CHECKPOINT_BUDGET_BYTES)
          : undefined;
      const from = checkpoint;
      const current = options.correctUpstream ? await createExecutor(from ? graphAfter(target, from.cut) : target) : undefined;
      try {
        const capture = next ? { capture: next.tensors } : {};
        if (from) result.passesFromCheckpoint++;
        const feed: PassFeed = from
          ? { reference: from.reference, current, samples: () => replay(from.values), ...capture }
          : { reference: exact, current, samples: fromInputs, ...capture };
        const tapped = options.correctUpstream ? undefined : tappedSums(options.tapped, group);
        const split = !options.correctUpstream && (options.workers ?? 1) > 1;
        const { accs, count, captured } = tapped
          ? { ...tapped, captured: undefined }
          : split
            ? { ...(await accumulateInWorkers(reference, target, group, samples, options.workers!, options.signal)), captured: undefined }
            : await accumulate(tf, group, feed, options.signal, result.samples || undefined);
        result.samples = count;
        if (count === 0) throw new QuantizeInputError('Error-compensated rounding read no calibration samples; check --calibration.');
        if (next && captured) {
          checkpoint = { cut: next, reference: await createExecutor(graphAfter(reference, next)), values: captured };
          from?.reference.dispose();
        }
        group.forEach((layer, i) => {
          if (options.signal?.aborted) throw new CancelledError('Quantization cancelled.');
          round(layer, accs[i]!);
          options.onProgress?.(start + i + 1, layers.length);
        });
      } finally {
        current?.dispose();
      }
    }
  } finally {
    exact.dispose();
    checkpoint?.reference.dispose();
  }
  return result;
}
