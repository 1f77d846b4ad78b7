// The statistics error-compensated rounding solves over: per layer (and per depthwise channel)
// H = Σ x·xᵀ over the input patches the layer really receives, and, where those differ from
// the float model's, D = Σ x·(x_float − x)ᵀ. Conv / FC products run on the tfjs backend.
import { CancelledError } from '../../errors';
import type { GraphExecutor, GraphInputs } from '../../graph/execute';
import type { Tf } from '../../graph/tfjs-backend';
import { addDepthwiseProducts, addTransposedProduct, mirrorLower, patchMatrix } from './gram';
import type { CompensableLayer } from './layer-inputs';

/**
 * Output positions used per sample and layer, beyond which a fixed hashed subset is taken: up to
 * 1024 for conv / FC (a 224×224 layer's 12544 positions of one image add little over that), and
 * 2 per patch element (at least 16) for depthwise layers, whose per-channel H are small: 100
 * samples still give each 10×10 H ~2000 windows. Measured on MobileNetV2 int8 gptq (100 images;
 * 40 held-out crops of other photos, LiteRT.js): 49.4 dB output SQNR and top-1 agreement 100%,
 * against 48.5 dB and 100% with 8 per element (at least 64), for a quarter of the depthwise
 * products' CPU time (7.5 s → 2.1–3.1 s per 100 samples).
 */
const POSITIONS_PER_PATCH_ELEMENT = 2;
const MIN_POSITIONS_PER_SAMPLE = 16;
const MAX_POSITIONS_PER_SAMPLE = 1024;

export interface Accumulators {
  h: Float64Array[];
  /** Σ x_q·(x_f − x_q)ᵀ per group; absent while the layer's inputs are still exact. */
  d: (Float64Array | undefined)[];
}

/**
 * Patch rows gathered before one product on the backend: a product per sample and layer cost
 * more in reading back and adding its K×K result (in JavaScript, float64) than in multiplying.
 */
const ROWS_PER_PRODUCT = 4096;

/** Rows waiting for their product: X (and F − X where it is summed). */
class PendingRows {
  parts: Float32Array[] = [];
  rows = 0;
  constructor(private readonly k: number) {}
  push(data: Float32Array, rows: number): void {
    this.parts.push(data);
    this.rows += rows;
  }
  take(): Float32Array {
    const out = new Float32Array(this.rows * this.k);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    this.parts = [];
    this.rows = 0;
    return out;
  }
}

/** One layer's sums over a pass: conv / FC products on the backend in batches of rows, depthwise ones per channel. */
export class LayerSums {
  readonly #layer: CompensableLayer;
  readonly #k: number;
  readonly #acc: Accumulators;
  readonly #x: PendingRows;
  readonly #dx: PendingRows;
  readonly #df: PendingRows;

  constructor(layer: CompensableLayer) {
    this.#layer = layer;
    this.#k = layer.fanIn + (layer.bias ? 1 : 0);
    this.#acc = { h: Array.from({ length: layer.groups }, () => new Float64Array(this.#k * this.#k)), d: new Array(layer.groups).fill(undefined) };
    this.#x = new PendingRows(this.#k);
    this.#dx = new PendingRows(this.#k);
    this.#df = new PendingRows(this.#k);
  }

  /** Adds one sample's patches: H += x·xᵀ, and D += x·(f − x)ᵀ where the float input f differs. */
  add(tf: Tf, seen: Float32Array, exact: Float32Array, shape: readonly number[]): void {
    const layer = this.#layer;
    const k = this.#k;
    // Depthwise layers sum one small H per channel: ~8 patches per H entry will do. Conv / FC: up to the cap.
    const wanted = layer.groups > 1 ? Math.max(MIN_POSITIONS_PER_SAMPLE, POSITIONS_PER_PATCH_ELEMENT * k) : MAX_POSITIONS_PER_SAMPLE;
    const thin = Math.max(1, Math.round(layer.positions(shape) / wanted));
    let differs = false;
    if (exact !== seen) for (let i = 0; i < exact.length && !differs; i++) differs = exact[i] !== seen[i];
    if (layer.groups > 1) {
      addDepthwiseProducts(layer, seen, differs ? exact : undefined, shape, thin, this.#acc.h, this.#acc.d);
      return;
    }
    const x = patchMatrix(layer, seen, shape, thin);
    this.#x.push(x.data, x.rows);
    if (differs) {
      const f = patchMatrix(layer, exact, shape, thin);
      for (let i = 0; i < f.data.length; i++) f.data[i] = f.data[i]! - x.data[i]!;
      this.#dx.push(x.data, x.rows);
      this.#df.push(f.data, f.rows);
    }
    this.#flush(tf, ROWS_PER_PRODUCT);
  }

  #flush(tf: Tf, atLeast: number): void {
    const k = this.#k;
    if (this.#x.rows >= atLeast && this.#x.rows > 0) {
      const rows = this.#x.rows;
      addTransposedProduct(tf, this.#x.take(), undefined, rows, k, this.#acc.h[0]!);
    }
    if (this.#dx.rows >= atLeast && this.#dx.rows > 0) {
      const rows = this.#dx.rows;
      addTransposedProduct(tf, this.#dx.take(), this.#df.take(), rows, k, (this.#acc.d[0] ??= new Float64Array(k * k)));
    }
  }

  /** The sums of every sample added. */
  finish(tf: Tf): Accumulators {
    if (this.#layer.groups > 1) for (const h of this.#acc.h) mirrorLower(h, this.#k);
    else this.#flush(tf, 0);
    return this.#acc;
  }
}

/** Sums of the same layers over disjoint samples (other workers' passes) added into `into`. */
export function addAccumulators(into: Accumulators[], other: Accumulators[]): void {
  into.forEach((acc, i) => {
    const more = other[i]!;
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
): Promise<{ accs: Accumulators[]; count: number; captured: Captured | undefined }> {
  const inputs = layerInputs(layers);
  const capture = feed.capture ?? [];
  const outputs = [...inputs.names, ...capture];
  const sums = layers.map((layer) => new LayerSums(layer));
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
