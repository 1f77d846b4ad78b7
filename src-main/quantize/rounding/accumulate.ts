// The statistics error-compensated rounding solves over: per layer (and per depthwise channel)
// H = Σ x·xᵀ over the input patches the layer really receives, and, where those differ from
// the float model's, D = Σ x·(x_float − x)ᵀ. Conv / FC products run on the tfjs backend.
import { CancelledError } from '../../errors';
import type { GraphExecutor, GraphInputs } from '../../graph/execute';
import type { Tf } from '../../graph/tfjs-backend';
import { addChannelInner, addDepthwiseGram, addDepthwiseProducts, addTransposedProduct, mirrorLower, patchRows, writePatches } from './gram';
import type { CompensableLayer } from './layer-inputs';

/**
 * Patch rows summed per sample and layer. Conv / FC: a budget relative to the patch length K,
 * ROWS_PER_K·K rows over the pass (c = 8), spread over the samples a pass expects (100 unless
 * told: calibration's tap is not told — told the dataset's count, 20 images, the nsfwjs gptq
 * test fell from 30.0 to 28.4 dB, within this SQNR's float-rounding noise but under its bar; the
 * per-layer passes after the first know the count), never fewer than MIN_ROWS_PER_SAMPLE per
 * sample, never more than the layer's positions: a fixed hashed subset of them. H is K×K, so
 * it needs evidence in proportion to K; the fixed 1024 positions this replaces spent most of the
 * products on the 56×56 and 28×28 layers with small K. MobileNetV2 int8 gptq, 100 images (src-main/quantize/README.md, "Where
 * int8 gptq's time goes"): 54 → 21 GMAC of products, held-out output SQNR 30.6 → 29.5 dB
 * (nearest rounding: 20.5 dB). Depthwise: 2 windows per patch element (at least 16) per
 * channel and sample; 4 in all cost 3 dB of held-out SQNR there.
 */
const ROWS_PER_K = 8;
const DEFAULT_SAMPLES = 100;
const MIN_ROWS_PER_SAMPLE = 16;
const POSITIONS_PER_PATCH_ELEMENT = 2;
const MIN_POSITIONS_PER_SAMPLE = 16;

/**
 * The thinning of a layer's output positions for an input of `shape` when a pass adds `samples`
 * samples: about one in this many positions is kept, so each sample gives the rows (conv / FC)
 * or windows (depthwise) the budget above wants.
 */
export function patchThinning(layer: CompensableLayer, shape: readonly number[], samples = DEFAULT_SAMPLES): number {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const wanted = layer.groups > 1 ? Math.max(MIN_POSITIONS_PER_SAMPLE, POSITIONS_PER_PATCH_ELEMENT * k) : Math.max(MIN_ROWS_PER_SAMPLE, Math.ceil((ROWS_PER_K * k) / Math.max(1, samples)));
  return Math.max(1, Math.round(layer.positions(shape) / wanted));
}

export interface Accumulators {
  h: Float64Array[];
  /** Σ x_q·(x_f − x_q)ᵀ per group; absent while the layer's inputs are still exact. */
  d: (Float64Array | undefined)[];
  /** Patches (rows, or depthwise windows) summed into each group's H: fewer than K leave H singular. */
  patches: number;
}

/**
 * Patch rows gathered before one product on the backend (a product per sample and layer cost
 * more in reading back and adding its K×K result, in JavaScript float64, than in multiplying):
 * up to 4096, at most 1 MB of float32 per layer (one buffer each, reused from batch to batch).
 */
const ROWS_PER_PRODUCT = 4096;
const FLOATS_PER_BUFFER = 1 << 18;

/** One layer's sums over a pass: conv / FC products on the backend in batches of rows, depthwise ones per channel. */
export class LayerSums {
  readonly #layer: CompensableLayer;
  readonly #k: number;
  readonly #acc: Accumulators;
  /** Rows waiting for their product: X, and F − X once a sample's float input differed (zero rows before). */
  #x: Float32Array | undefined;
  #df: Float32Array | undefined;
  #rows = 0;
  /** Depthwise H of the samples whose inputs were exact, channel-inner (`addDepthwiseGram`). */
  #hc: Float64Array | undefined;

  readonly #samples: number;

  /** `samples`: how many samples the pass is expected to add (sets conv / FC rows per sample). */
  constructor(layer: CompensableLayer, samples = DEFAULT_SAMPLES) {
    this.#layer = layer;
    this.#samples = Math.max(1, samples);
    this.#k = layer.fanIn + (layer.bias ? 1 : 0);
    this.#acc = { h: Array.from({ length: layer.groups }, () => new Float64Array(this.#k * this.#k)), d: new Array(layer.groups).fill(undefined), patches: 0 };
  }

  /** The thinning of this layer's output positions for an input of `shape` (see the row budget above). */
  thin(shape: readonly number[]): number {
    return patchThinning(this.#layer, shape, this.#samples);
  }

  /** Adds one sample's patches: H += x·xᵀ, and D += x·(f − x)ᵀ where the float input f differs. */
  add(tf: Tf, seen: Float32Array, exact: Float32Array, shape: readonly number[]): void {
    const layer = this.#layer;
    const k = this.#k;
    const thin = this.thin(shape);
    let differs = false;
    if (exact !== seen) for (let i = 0; i < exact.length && !differs; i++) differs = exact[i] !== seen[i];
    this.#acc.patches += patchRows(layer, shape, thin);
    if (layer.groups > 1) {
      if (differs) addDepthwiseProducts(layer, seen, exact, shape, thin, this.#acc.h, this.#acc.d);
      else addDepthwiseGram(layer, seen, shape, thin, (this.#hc ??= new Float64Array(k * k * layer.groups)));
      return;
    }
    const rows = patchRows(layer, shape, thin);
    if (this.#x && this.#rows + rows > this.#x.length / k) this.#flush(tf);
    const capacity = Math.max(rows, Math.min(ROWS_PER_PRODUCT, Math.floor(FLOATS_PER_BUFFER / k)));
    if (!this.#x || this.#x.length < capacity * k) this.#x = new Float32Array(capacity * k);
    const at = this.#rows;
    writePatches(layer, seen, shape, thin, this.#x, at);
    if (differs) {
      // D's rows are F − X; samples whose inputs were exact contribute zero rows (the same sum).
      if (!this.#df || this.#df.length !== this.#x.length) this.#df = new Float32Array(this.#x.length);
      const f = this.#df;
      writePatches(layer, exact, shape, thin, f, at);
      const x = this.#x;
      for (let i = at * k; i < (at + rows) * k; i++) f[i] = f[i]! - x[i]!;
    } else if (this.#df) {
      this.#df.fill(0, at * k, (at + rows) * k);
    }
    this.#rows += rows;
  }

  #flush(tf: Tf): void {
    const k = this.#k;
    const rows = this.#rows;
    if (rows === 0 || !this.#x) return;
    const x = this.#x.subarray(0, rows * k);
    addTransposedProduct(tf, x, undefined, rows, k, this.#acc.h[0]!);
    if (this.#df) addTransposedProduct(tf, x, this.#df.subarray(0, rows * k), rows, k, (this.#acc.d[0] ??= new Float64Array(k * k)));
    // A later sample whose input is exact again adds zero rows to D until the next difference.
    this.#df = undefined;
    this.#rows = 0;
  }

  /** The sums of every sample added. */
  finish(tf: Tf): Accumulators {
    if (this.#layer.groups > 1) {
      if (this.#hc) addChannelInner(this.#hc, this.#k, this.#layer.groups, this.#acc.h);
      this.#hc = undefined;
      for (const h of this.#acc.h) mirrorLower(h, this.#k);
    } else {
      this.#flush(tf);
    }
    this.#x = undefined;
    return this.#acc;
  }
}

/** Sums of the same layers over disjoint samples (other workers' passes) added into `into`. */
export function addAccumulators(into: Accumulators[], other: Accumulators[]): void {
  into.forEach((acc, i) => {
    const more = other[i]!;
    acc.patches += more.patches;
    acc.h.forEach((h, g) => {
      const m = more.h[g]!;
      for (let j = 0; j < h.length; j++) h[j] += m[j]!;
    });
    acc.d = acc.d.map((d, g) => {
      const m = more.d[g];
      if (!m) return d;
      if (!d) return Float64Array.from(m);
      for (let j = 0; j < d.length; j++) d[j] += m[j]!;
      return d;
    });
  });
}

/** The inputs of `layers` to ask an executor for, and where each layer finds its own. */
export function layerInputs(layers: CompensableLayer[]): { names: string[]; indexOf: number[] } {
  const names = [...new Set(layers.map((l) => l.node.inputs[0]!))];
  return { names, indexOf: layers.map((l) => names.indexOf(l.node.inputs[0]!)) };
}

/** What one pass runs: the two executors and, per sample, their inputs. */
export interface PassFeed {
  /** The float model (or its part after a checkpoint). */
  reference: GraphExecutor;
  /** The graph as it now runs (or its part after a checkpoint); absent: the reference itself. */
  current: GraphExecutor | undefined;
  /** Per sample, the inputs of `reference` and of `current` (equal when both start at the graph inputs). */
  samples: () => AsyncIterable<{ reference: GraphInputs; current: GraphInputs }>;
  /** Tensors to keep per sample from both executors (the next checkpoint). */
  capture?: string[];
}

export interface Captured {
  reference: Float32Array[][];
  current: Float32Array[][];
}

/**
 * One pass over the samples for a block of layers: each layer's input from the graph as it now
 * runs gives H, and where it differs from the float model's, D.
 */
export async function accumulate(
  tf: Tf,
  layers: CompensableLayer[],
  feed: PassFeed,
  signal: AbortSignal | undefined,
  expectedSamples?: number,
): Promise<{ accs: Accumulators[]; count: number; captured: Captured | undefined }> {
  const inputs = layerInputs(layers);
  const capture = feed.capture ?? [];
  const outputs = [...inputs.names, ...capture];
  const sums = layers.map((layer) => new LayerSums(layer, expectedSamples));
  const captured: Captured | undefined = capture.length ? { reference: [], current: [] } : undefined;
  let count = 0;
  for await (const sample of feed.samples()) {
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
    const exact = await feed.reference.run(sample.reference, { outputs });
    const shapes = feed.reference.lastShapes;
    const seen = feed.current ? await feed.current.run(sample.current, { outputs }) : exact;
    sums.forEach((s, i) => {
      const at = inputs.indexOf[i]!;
      s.add(tf, seen[at]!, exact[at]!, shapes[at]!);
    });
    captured?.reference.push(exact.slice(inputs.names.length));
    captured?.current.push(seen.slice(inputs.names.length));
    count++;
  }
  return { accs: sums.map((s) => s.finish(tf)), count, captured };
}
