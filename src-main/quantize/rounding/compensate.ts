// Error-compensated weight rounding (GPTQ-style, with the upstream error folded in): layer by
// layer, in graph order, choose each layer's representable weights so that its outputs on the
// calibration data stay close to the float model's, given the inputs it really receives from
// the already-rounded layers before it. Nearest rounding treats every weight alone; here the
// error of each rounded weight is pushed onto the weights not yet rounded (and finally the bias),
// weighted by how the layer's inputs co-vary (H = Σ x·xᵀ over all input patches).
import { CancelledError } from '../../errors';
import { createExecutor, type GraphExecutor, type GraphInputs } from '../../graph/execute';
import type { Graph, Node } from '../../graph/model-graph';
import { choleskyLower, damped, inverseFromCholesky, inverseUpperCholesky, NotPositiveDefiniteError } from './linear-algebra';
import { initTfjs, type Tf } from '../../runtime/tfjs-backend';
import { QuantizeInputError } from '../errors';
import { addTransposedProduct, patchMatrix } from './gram';
import { compensableLayer, type CompensableLayer } from './layer-inputs';

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
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface CompensationResult {
  /** Layers whose weights were chosen by compensation. */
  compensated: string[];
  /** Linear layers left to nearest rounding, and why. */
  skipped: { node: string; reason: string }[];
  samples: number;
}

/**
 * Relative diagonal loading of H for the rounding factor: as little as the matrix allows (H is
 * summed in float32 and nearly singular when inputs are collinear), raised step by step.
 */
const ROUNDING_DAMPING = [1e-6, 1e-4, 1e-2, 1e-1];
/**
 * Output positions used per sample and layer, beyond which a fixed hashed subset is taken: up to
 * 1024 for conv / FC (a 224×224 layer's 12544 positions of one image add little over that), and
 * 8 per patch element (at least 64) for depthwise layers, whose per-channel H are small.
 */
const POSITIONS_PER_PATCH_ELEMENT = 8;
const MIN_POSITIONS_PER_SAMPLE = 64;
const MAX_POSITIONS_PER_SAMPLE = 1024;

/** Relative diagonal loading for the upstream-error correction (keeps it to directions the data spans). */
const CORRECTION_DAMPING = 1e-2;

interface Accumulators {
  h: Float64Array[];
  /** Σ x_q·(x_f − x_q)ᵀ per group; absent while the layer's inputs are still exact. */
  d: (Float64Array | undefined)[];
}

function addOuterLower(h: Float64Array, x: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * k;
    for (let j = 0; j <= i; j++) h[row + j] += xi * x[j]!;
  }
}

function mirrorLower(h: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) h[j * k + i] = h[i * k + j]!;
}

const newAccumulators = (layer: CompensableLayer): Accumulators => {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  return { h: Array.from({ length: layer.groups }, () => new Float64Array(k * k)), d: new Array(layer.groups).fill(undefined) };
};

/** Adds one sample's patches: H += x·xᵀ, and D += x·(f − x)ᵀ where the float input f differs. */
function addSample(tf: Tf, layer: CompensableLayer, acc: Accumulators, seen: Float32Array, exact: Float32Array, shape: readonly number[]): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  // Depthwise layers sum one small H per channel in plain loops: ~8 patches per H entry will do.
  // Conv / FC products run on the backend: keep up to the cap.
  const wanted = layer.groups > 1 ? Math.max(MIN_POSITIONS_PER_SAMPLE, POSITIONS_PER_PATCH_ELEMENT * k) : MAX_POSITIONS_PER_SAMPLE;
  const thin = Math.max(1, Math.round(layer.positions(shape) / wanted));
  let differs = false;
  for (let i = 0; i < exact.length && !differs; i++) differs = exact[i] !== seen[i];
  if (layer.groups === 1) {
    // One patch space: two matrix products on the tfjs backend.
    const x = patchMatrix(layer, seen, shape, thin);
    addTransposedProduct(tf, x.data, undefined, x.rows, k, acc.h[0]!);
    if (differs) {
      const f = patchMatrix(layer, exact, shape, thin);
      for (let i = 0; i < f.data.length; i++) f.data[i] = f.data[i]! - x.data[i]!;
      addTransposedProduct(tf, x.data, f.data, x.rows, k, (acc.d[0] ??= new Float64Array(k * k)));
    }
    return;
  }
  // Depthwise: many small (kh·kw + 1) spaces, cheaper in plain loops. The float patches go in
  // one flat buffer, in visiting order.
  let exactPatches = new Float64Array(0);
  let stored = 0;
  if (differs) {
    exactPatches = new Float64Array(k * 1024);
    layer.forEachPatch(exact, shape, (_g, patch) => {
      if ((stored + 1) * k > exactPatches.length) {
        const grown = new Float64Array(exactPatches.length * 2);
        grown.set(exactPatches);
        exactPatches = grown;
      }
      exactPatches.set(patch, stored * k);
      stored++;
    }, thin);
  }
  let index = 0;
  layer.forEachPatch(seen, shape, (g, x) => {
    addOuterLower(acc.h[g]!, x, k);
    if (!differs) return;
    const f = index++ * k;
    const d = (acc.d[g] ??= new Float64Array(k * k));
    for (let i = 0; i < k; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      const row = i * k;
      for (let j = 0; j < k; j++) d[row + j] += xi * (exactPatches[f + j]! - x[j]!);
    }
  }, thin);
}

/** Upstream-corrected: runs the reference and the current graph to one layer's input. */
async function accumulateCorrected(
  tf: Tf,
  layer: CompensableLayer,
  reference: GraphExecutor,
  current: GraphExecutor,
  samples: () => AsyncIterable<GraphInputs>,
  signal: AbortSignal | undefined,
): Promise<{ acc: Accumulators; count: number }> {
  const input = layer.node.inputs[0]!;
  const acc = newAccumulators(layer);
  let count = 0;
  for await (const sample of samples()) {
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
    const [exact] = await reference.run(sample, { outputs: [input] });
    const shape = reference.lastShapes[0]!;
    const [seen] = await current.run(sample, { outputs: [input] });
    addSample(tf, layer, acc, seen!, exact!, shape);
    count++;
  }
  if (layer.groups > 1) for (const h of acc.h) mirrorLower(h, layer.fanIn + (layer.bias ? 1 : 0));
  return { acc, count };
}

/** Float inputs only: one pass over the samples gives every layer's H. */
async function accumulateFloat(
  tf: Tf,
  layers: CompensableLayer[],
  reference: GraphExecutor,
  samples: () => AsyncIterable<GraphInputs>,
  signal: AbortSignal | undefined,
): Promise<{ accs: Accumulators[]; count: number }> {
  const inputs = [...new Set(layers.map((l) => l.node.inputs[0]!))];
  const accs = layers.map(newAccumulators);
  let count = 0;
  for await (const sample of samples()) {
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
    const values = await reference.run(sample, { outputs: inputs });
    const shapes = reference.lastShapes;
    layers.forEach((layer, i) => {
      const at = inputs.indexOf(layer.node.inputs[0]!);
      addSample(tf, layer, accs[i]!, values[at]!, values[at]!, shapes[at]!);
    });
    count++;
  }
  layers.forEach((layer, i) => {
    if (layer.groups > 1) for (const h of accs[i]!.h) mirrorLower(h, layer.fanIn + (layer.bias ? 1 : 0));
  });
  return { accs, count };
}

/** GPTQ's rounding factor: the upper Cholesky factor U of H⁻¹ (H⁻¹ = Uᵀ·U), row-major. */
function roundingFactor(h: Float64Array, k: number): Float64Array {
  let failure: NotPositiveDefiniteError | undefined;
  for (const damping of ROUNDING_DAMPING) {
    try {
      return inverseUpperCholesky(damped(h, k, damping), k);
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError)) throw error;
      failure = error; // numerically indefinite at this loading: try the next one
    }
  }
  throw failure!;
}

/** P·A·Pᵀ for the index order `order`. */
function permuted(a: Float64Array, k: number, order: number[]): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i * k + j] = a[order[i]! * k + order[j]!]!;
  return out;
}

/**
 * The weights that map the inputs a layer now receives onto its float outputs, for all rows:
 * w + (H + λI)⁻¹·D·w. In float64: at FP16's error level a float32 product loses ~2 dB.
 */
function correctedRows(rows: Float64Array, count: number, h: Float64Array, d: Float64Array, k: number): void {
  const inverse = inverseFromCholesky(choleskyLower(damped(h, k, CORRECTION_DAMPING), k), k);
  const dw = new Float64Array(k);
  for (let r = 0; r < count; r++) {
    const w = rows.subarray(r * k, (r + 1) * k);
    for (let i = 0; i < k; i++) {
      let s = 0;
      const base = i * k;
      for (let j = 0; j < k; j++) s += d[base + j]! * w[j]!;
      dw[i] = s;
    }
    const delta = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = 0;
      const base = i * k;
      for (let j = 0; j < k; j++) s += inverse[base + j]! * dw[j]!;
      delta[i] = s;
    }
    for (let i = 0; i < k; i++) w[i] += delta[i]!;
  }
}

function roundLayer(layer: CompensableLayer, reference: Graph, acc: Accumulators, grid: RoundingGrid): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const sourceWeights = reference.tensors.get(layer.weights.name)!.data as Float32Array;
  const sourceBias = layer.bias ? (reference.tensors.get(layer.bias.name)!.data as Float32Array) : undefined;
  const weights = Float32Array.from(sourceWeights);
  const bias = sourceBias ? Float32Array.from(sourceBias) : undefined;
  for (let g = 0; g < layer.groups; g++) {
    const h = acc.h[g]!;
    const d = acc.d[g];
    const rowIds = layer.rowsOf(g);
    const rows = new Float64Array(rowIds.length * k);
    rowIds.forEach((row, r) => {
      layer.weightOffsets(row).forEach((at, i) => (rows[r * k + i] = sourceWeights[at]!));
      if (sourceBias) rows[r * k + k - 1] = sourceBias[row]!;
    });
    if (d) correctedRows(rows, rowIds.length, h, d, k);
    // Round the inputs with the most energy first (GPTQ's "act order"); the bias stays last so
    // it absorbs what is left.
    const order = Array.from({ length: k }, (_, i) => i);
    const weightsEnd = sourceBias ? k - 1 : k;
    order.splice(0, weightsEnd, ...order.slice(0, weightsEnd).sort((a, b) => h[b * k + b]! - h[a * k + a]!));
    const u = roundingFactor(permuted(h, k, order), k); // row-major, in `order`
    const v = new Float64Array(k);
    rowIds.forEach((row, r) => {
      for (let i = 0; i < k; i++) v[i] = rows[r * k + order[i]!]!;
      const pin = grid.pinned?.(row);
      for (let i = 0; i < k; i++) {
        const isBias = sourceBias !== undefined && order[i] === k - 1;
        const q = pin?.index === order[i] ? pin.value : isBias ? grid.bias(v[i]!, row) : grid.weight(v[i]!, row);
        const err = (v[i]! - q) / u[i * k + i]!;
        v[i] = q;
        const base = i * k;
        for (let j = i + 1; j < k; j++) v[j] -= err * u[base + j]!;
      }
      const offsets = layer.weightOffsets(row);
      for (let i = 0; i < k; i++) {
        const at = order[i]!;
        if (at < layer.fanIn) weights[offsets[at]!] = v[i]!;
        else if (bias) bias[row] = v[i]!;
      }
    });
  }
  layer.weights.data = weights;
  if (layer.bias && bias) layer.bias.data = bias;
}

/**
 * Rewrites, in `target`, the weights (and biases) of every compensable linear layer with values
 * on `gridFor(layer)`. `reference` is the float graph (same tensor names), `target` the graph as
 * it will run (its other constants already rounded). With `correctUpstream` each layer also
 * absorbs the error of the layers before it, at one pass over `samples` per layer; without it
 * one pass serves all layers.
 */
export async function compensateWeightRounding(
  reference: Graph,
  target: Graph,
  gridFor: (layer: CompensableLayer) => RoundingGrid,
  samples: () => AsyncIterable<GraphInputs>,
  options: CompensationOptions = {},
): Promise<CompensationResult> {
  const result: CompensationResult = { compensated: [], skipped: [], samples: 0 };
  const layers: CompensableLayer[] = [];
  for (const node of target.nodes) {
    if (options.include && !options.include(node)) continue;
    const layer = compensableLayer(target, node);
    if (typeof layer !== 'string') layers.push(layer);
    else if (layer !== 'not a linear layer') result.skipped.push({ node: node.name, reason: layer });
  }
  const tf = await initTfjs();
  const round = (layer: CompensableLayer, acc: Accumulators): void => {
    try {
      roundLayer(layer, reference, acc, gridFor(layer));
      result.compensated.push(layer.node.name);
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError)) throw error;
      result.skipped.push({ node: layer.node.name, reason: `input statistics are singular (${error.message})` });
    }
  };
  const exact = await createExecutor(reference);
  try {
    if (!options.correctUpstream) {
      const usable = layers;
      const { accs, count } = await accumulateFloat(tf, usable, exact, samples, options.signal);
      result.samples = count;
      if (count === 0) throw new QuantizeInputError('Error-compensated rounding read no calibration samples; check --calibration.');
      usable.forEach((layer, i) => {
        round(layer, accs[i]!);
        options.onProgress?.(i + 1, usable.length);
      });
      return result;
    }
    for (const [done, layer] of layers.entries()) {
      const current = await createExecutor(target);
      try {
        const { acc, count } = await accumulateCorrected(tf, layer, exact, current, samples, options.signal);
        result.samples = count;
        if (count === 0) throw new QuantizeInputError('Error-compensated rounding read no calibration samples; check --calibration.');
        round(layer, acc);
      } finally {
        current.dispose();
      }
      options.onProgress?.(done + 1, layers.length);
    }
  } finally {
    exact.dispose();
  }
  return result;
}
