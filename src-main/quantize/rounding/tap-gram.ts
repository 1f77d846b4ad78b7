// The gptq H of calibration's tap, taken from the live layer inputs (nothing read back per
// sample): each layer's kept patches (the same positions as `LayerSums`, so H is the same sum up
// to float32 rounding) are copied out of the backend's own memory where it can be read in place
// (wasm, cpu) and gathered on the backend elsewhere (tfjs-node); conv / FC patches of several
// samples are multiplied on the backend and the K×K products summed in float64; depthwise H is
// summed channel-inner in JavaScript from the same memory. Reading every layer input back per
// sample (~27 MB for MobileNetV2) and writing its patches in JavaScript was most of the work.
// The D term (inputs that differ from the float model's) is not summed here: the int8 tap reads
// the float model only; fp16's per-layer passes keep `LayerSums`.
import type { TfTensor } from '../../graph/execute';
import type { Tf } from '../../graph/tfjs-backend';
import { layerInputs, patchThinning, type Accumulators } from './accumulate';
import { addChannelInner, addDepthwiseGram, forEachKeptWindow, keptPositions, mirrorLower, patchRows, rowPatches } from './gram';
import { PatchShapeError, type CompensableLayer } from './layer-inputs';

/** Where one layer's kept patches are in its flattened input, for one input shape. */
interface GatherPlan {
  /** Row indices into the input seen as [positions, channels] (+ one zero row at the end when `padded`). */
  index: Int32Array;
  /** The same on the backend, made when first needed (backends without a view of their memory). */
  indexTensor: TfTensor | undefined;
  /** Some kept taps fall in the zero padding: they read the appended zero row. */
  padded: boolean;
  /** Kept patches (over the batch). */
  rows: number;
  /** Values per input row: fanIn for row patches, the channel count for windows. */
  channels: number;
  /** Input rows per patch: 1 for row patches, kh·kw for windows. */
  taps: number;
  /** The thinning of the output positions (`LayerSums.thin`). */
  thin: number;
}

/**
 * Patch floats gathered before one product, whole samples at a time: as `LayerSums` batches its
 * rows (up to 4096 rows, at most 2^18 floats), so the float32 products and their float64 sum are
 * the ones it computes. The held-out SQNR of the nsfwjs gptq test moves with the batching alone
 * (2^18: 29.5 dB, 2^20: 29.1 dB with the float32 products summed in float32 or float64; the
 * batches of `LayerSums`: 30.0 dB): H is nearly singular and GPTQ follows its float32 rounding.
 */
const ROWS_PER_PRODUCT = 4096;
const FLOATS_PER_PRODUCT = 1 << 18;

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * Math.max(b, 1), 1);

/**
 * The gather indices of a layer's kept patches: row patches in kept order; windows (conv and
 * depthwise) per batch item and kept position as `forEachPatch` visits them, taps in (dy, dx)
 * order, tap-major for depthwise ([taps, rows]) and row-major for conv ([rows, taps]).
 */
export function gatherIndices(layer: CompensableLayer, shape: readonly number[], thin: number): { index: Int32Array; padded: boolean; rows: number; channels: number; taps: number } {
  if (rowPatches(layer)) {
    const index = keptPositions(Math.floor(elements(shape) / layer.fanIn), thin);
    return { index, padded: false, rows: index.length, channels: layer.fanIn, taps: 1 };
  }
  const w = layer.window;
  if (w.kind === 'dense' || shape.length !== 4) throw new PatchShapeError(`layer '${layer.node.name}': input of shape [${shape.join(', ')}] is not NHWC`);
  const [, height, width, c] = shape as [number, number, number, number];
  if (w.kind === 'conv' && c * w.kh * w.kw !== layer.fanIn) throw new PatchShapeError(`layer '${layer.node.name}': input has ${c} channels, its weights expect ${layer.fanIn / (w.kh * w.kw)}`);
  const taps = w.kh * w.kw;
  const count = patchRows(layer, shape, thin);
  const zeroRow = Math.max(1, shape[0]!) * height * width;
  const index = new Int32Array(count * taps);
  const depthwise = w.kind === 'depthwise';
  let padded = false;
  let r = 0;
  forEachKeptWindow(layer, shape, thin, (pixels) => {
    for (let t = 0; t < taps; t++) {
      const pixel = pixels[t]!;
      if (pixel < 0) padded = true;
      index[depthwise ? t * count + r : r * taps + t] = pixel < 0 ? zeroRow : pixel;
    }
    r++;
  });
  return { index, padded, rows: count, channels: c, taps };
}

/** What the wasm and cpu backends keep of a tensor (internals, checked before use). */
interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number; dtype: string } | undefined };
  wasm: { HEAPF32: Float32Array };
}
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } | undefined };
}

/**
 * A float32 tensor's values where the backend keeps them, without a copy: a view of the wasm
 * heap, or the cpu backend's array; undefined on other backends (tfjs-node). Valid until the
 * next backend call (the wasm heap may grow), so it is read at once.
 */
export function liveView(tf: Tf, value: TfTensor): Float32Array | undefined {
  if (value.dtype !== 'float32') return undefined;
  const name = tf.getBackend();
  const dataId = (value as unknown as { dataId: object }).dataId;
  if (name === 'wasm') {
    const backend = tf.backend() as unknown as Partial<WasmBackend>;
    const entry = backend.dataIdMap?.get(dataId);
    const heap = backend.wasm?.HEAPF32;
    if (!entry || !(heap instanceof Float32Array) || typeof entry.memoryOffset !== 'number') return undefined;
    return heap.subarray(entry.memoryOffset / 4, entry.memoryOffset / 4 + value.size);
  }
  if (name === 'cpu') {
    const values = (tf.backend() as unknown as Partial<CpuBackend>).data?.get(dataId)?.values;
    return values instanceof Float32Array && values.length === value.size ? values : undefined;
  }
  return undefined;
}

/**
 * Column panels of `addLowerGram` for a K×K product: panel p (columns s…e) is the product of
 * Xᵀ's rows s…K with X's columns s…e, so the products cover the lower triangle and the diagonal
 * blocks, (P + 1)/(2P) of the full product's work. Each product pays a call, a copy of its
 * operands and XNNPACK's packing of its right operand, so small K keep one product. Measured on
 * wasm (2026-12-04, load 3, `addLowerGram` CPU ms per batch, min of 12 rounds; the full product
 * read back with dataSync before): K = 961, 245 rows: 15.3 full, 9.9 in 3 panels, 9.5 in 4, 9.1
 * in 6; K = 577, 450 rows: 9.7 / 6.6 / 6.3 / 6.1; K = 385: 6.5 / 4.7 / 4.5 / 4.5; K = 193:
 * 3.6 / 2.9 / 2.9 / 2.9; K = 161: 3.2 / 2.7 / 2.7 / 3.0; K = 97: 2.2 whatever the panels.
 */
export function gramPanels(k: number): number {
  if (k < 128) return 1;
  return k < 384 ? 3 : k < 768 ? 4 : 6;
}

/** Reused by `addLowerGram` for a panel's columns of X and for Xᵀ (grown as needed). */
let panelBuffer = new Float32Array(0);
let transposedBuffer = new Float32Array(0);

/**
 * into[i·K + j] += (XᵀX)[i][j] for j ≤ i (the lower triangle, read from the backend's memory where
 * it can be) for the row-major rows × K matrix `x`, in `gramPanels(k)` column panels of float32
 * products on the backend. XNNPACK sums each entry over the rows in the same order whatever the
 * panel, so the entries are those of the full product, bit for bit (tested).
 */
export function addLowerGram(tf: Tf, x: Float32Array, rows: number, k: number, into: Float64Array, panelCount = gramPanels(k)): void {
  const panels = Math.max(1, Math.min(panelCount, k));
  // matMul with transposeA is ~10× slower on the wasm backend than a transpose first (gram.ts).
  const xt = tf.tidy(() => tf.transpose(tf.tensor2d(x.subarray(0, rows * k), [rows, k])));
  // The later panels' rows of Xᵀ, from a copy: tf.slice on wasm reads its whole input back first.
  let transposed: Float32Array | undefined;
  if (panels > 1) {
    if (transposedBuffer.length < rows * k) transposedBuffer = new Float32Array(rows * k);
    transposed = transposedBuffer.subarray(0, rows * k);
    transposed.set(liveView(tf, xt) ?? (xt.dataSync() as Float32Array));
  }
  try {
    for (let p = 0; p < panels; p++) {
      const start = Math.round((p * k) / panels);
      const width = Math.round(((p + 1) * k) / panels) - start;
      let columns: Float32Array;
      if (panels === 1) columns = x.subarray(0, rows * k);
      else {
        if (panelBuffer.length < rows * width) panelBuffer = new Float32Array(rows * width);
        columns = panelBuffer.subarray(0, rows * width);
        for (let r = 0; r < rows; r++) columns.set(x.subarray(r * k + start, r * k + start + width), r * width);
      }
      // [K − start, width]: entry (r, c) is H[start + r][start + c].
      const product = tf.tidy(() => tf.matMul(start === 0 ? xt : tf.tensor2d(transposed!.subarray(start * rows), [k - start, rows]), tf.tensor2d(columns, [rows, width])));
      try {
        const values = liveView(tf, product) ?? (product.dataSync() as Float32Array);
        if (values.length !== (k - start) * width) throw new PatchShapeError(`product of ${values.length} values, expected ${k - start}×${width}`);
        for (let r = 0; r < k - start; r++) {
          const row = (start + r) * k + start;
          const from = r * width;
          // Only the lower triangle: the diagonal block's upper part is mirrored at the end.
          const end = Math.min(width, r + 1);
          for (let c = 0; c < end; c++) into[row + c] += values[from + c]!;
        }
      } finally {
        product.dispose();
      }
    }
  } finally {
    xt.dispose();
  }
}

/** One layer's H over the samples tapped, from the live inputs. */
class LayerTapSum {
  readonly layer: CompensableLayer;
  /** Patches (rows, or depthwise windows) added so far. */
  patches = 0;
  readonly #k: number;
  readonly #samples: number | undefined;
  readonly #plans = new Map<string, GatherPlan>();
  /** Patches gathered on the backend waiting for their product: [rows, K] (conv / FC) or [K, rows, C] (depthwise). */
  #pending: TfTensor[] = [];
  /** Rows (conv / FC) or windows (depthwise) in `#pending`. */
  #pendingRows = 0;
  /** Conv / FC rows copied from the backend's memory waiting for their product: [rows, K], reused. */
  #rows: Float32Array | undefined;
  #rowCount = 0;
  /** Σ xᵀx of the products so far: K×K (conv / FC: the lower triangle from `#rows`), or C×K×K for depthwise (float64). */
  #sum: Float64Array | undefined;
  /** Depthwise H summed in JavaScript from the backend's memory, channel-inner (`addDepthwiseGram`). */
  #hc: Float64Array | undefined;

  readonly #fromMemory: boolean;

  constructor(layer: CompensableLayer, samples: number | undefined, fromMemory: boolean) {
    this.layer = layer;
    this.#fromMemory = fromMemory;
    this.#k = layer.fanIn + (layer.bias ? 1 : 0);
    this.#samples = samples;
  }

  #plan(shape: readonly number[]): GatherPlan {
    const key = shape.join(',');
    let plan = this.#plans.get(key);
    if (!plan) {
      const thin = patchThinning(this.layer, shape, this.#samples);
      plan = { ...gatherIndices(this.layer, shape, thin), indexTensor: undefined, thin };
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /** Gathers one sample's kept patches from the live input `value` (neither kept nor disposed here). */
  add(tf: Tf, value: TfTensor): void {
    const plan = this.#plan(value.shape);
    this.patches += plan.rows;
    // A full batch of rows goes to its product before the input is viewed: a product may grow
    // the wasm heap, which leaves earlier views of it empty.
    if (this.#fromMemory && this.layer.groups === 1 && this.#rowCount + plan.rows > this.#capacity(plan.rows, this.#k)) this.#flush(tf);
    const view = this.#fromMemory ? liveView(tf, value) : undefined;
    if (view && this.layer.groups > 1) {
      // Depthwise, summed channel-inner from the view: the per-channel (K × rows)·(rows × K)
      // products are too small for the wasm matmul (~1 GMAC/s with their transposes, measured
      // below the JavaScript loops).
      addDepthwiseGram(this.layer, view, value.shape, plan.thin, (this.#hc ??= new Float64Array(this.#k * this.#k * this.layer.groups)));
      return;
    }
    if (view) {
      this.#copyRows(tf, view, plan);
      return;
    }
    const patches = this.#gatheredOnBackend(tf, value, plan);
    // Rows (conv / FC) or windows (depthwise on the backend) of this sample.
    const rows = this.layer.groups > 1 ? patches.shape[1]! : patches.shape[0]!;
    if (this.#pendingRows + rows > this.#capacity(rows, patches.size / rows)) this.#flush(tf);
    this.#pending.push(tf.keep(patches));
    this.#pendingRows += rows;
  }

  /** Rows (or windows) of `perRow` floats per product when a sample gives `rows` (whole samples, see ROWS_PER_PRODUCT). */
  #capacity(rows: number, perRow: number): number {
    return Math.max(rows, Math.min(ROWS_PER_PRODUCT, Math.floor(FLOATS_PER_PRODUCT / perRow)));
  }

  /**
   * Conv / FC: the kept patches copied out of the backend's own memory (`view`: no copy of the
   * input) into the rows waiting for their product: the wasm backend's gather costs ~30 ns per
   * value (MobileNetV2: ~60 ms per sample, 2.3× the float forward), a copy of contiguous runs of
   * channels far less. One buffer per layer, no tensor per sample.
   */
  #copyRows(tf: Tf, view: Float32Array, plan: GatherPlan): void {
    const { index, rows, taps, channels: c } = plan;
    const k = this.#k;
    // `add` made room (a product here could leave `view` empty).
    const capacity = Math.max(this.#capacity(rows, k), this.#rowCount + rows);
    if (!this.#rows || this.#rows.length < capacity * k) {
      const grown = new Float32Array(capacity * k);
      if (this.#rows) grown.set(this.#rows.subarray(0, this.#rowCount * k));
      this.#rows = grown;
    }
    const out = this.#rows;
    const zeroRow = view.length / c;
    // [rows, K]: each row its taps' channel runs (zeros in the padding), then 1 for the bias.
    for (let r = 0, o = this.#rowCount * k; r < rows; r++, o += k) {
      for (let t = 0; t < taps; t++) {
        const at = index[r * taps + t]!;
        if (at === zeroRow) out.fill(0, o + t * c, o + t * c + c);
        else out.set(view.subarray(at * c, at * c + c), o + t * c);
      }
      if (this.layer.bias) out[o + k - 1] = 1;
    }
    this.#rowCount += rows;
  }

  /** The same gathered by the backend (tfjs-node, where gather is native). */
  #gatheredOnBackend(tf: Tf, value: TfTensor, plan: GatherPlan): TfTensor {
    const depthwise = this.layer.groups > 1;
    const bias = this.layer.bias !== undefined;
    const index = (plan.indexTensor ??= tf.keep(tf.tensor1d(plan.index, 'int32')));
    return tf.tidy(() => {
      const flat = tf.reshape(value, [-1, plan.channels]);
      const source = plan.padded ? tf.concat([flat, tf.zeros([1, plan.channels])], 0) : flat;
      const gathered = tf.gather(source, index);
      if (depthwise) {
        const x = tf.reshape(gathered, [plan.taps, plan.rows, plan.channels]);
        return bias ? tf.concat([x, tf.ones([1, plan.rows, plan.channels])], 0) : x;
      }
      const x = tf.reshape(gathered, [plan.rows, plan.taps * plan.channels]);
      return bias ? tf.concat([x, tf.ones([plan.rows, 1])], 1) : x;
    });
  }

  #flush(tf: Tf): void {
    if (this.#rowCount > 0) {
      // Rows copied in JavaScript: the lower triangle of their product, in column panels.
      addLowerGram(tf, this.#rows!, this.#rowCount, this.#k, (this.#sum ??= new Float64Array(this.#k * this.#k)));
      this.#rowCount = 0;
    }
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    const depthwise = this.layer.groups > 1;
    const product = tf.tidy(() => {
      if (depthwise) {
        // [K, rows, C] → per channel (K × rows)·(rows × K), one batched product.
        const x = pending.length === 1 ? pending[0]! : tf.concat(pending, 1);
        return tf.matMul(tf.transpose(x, [2, 0, 1]), tf.transpose(x, [2, 1, 0]));
      }
      // matMul with transposeA is ~10× slower on the wasm backend than a transpose first (gram.ts).
      const x = pending.length === 1 ? pending[0]! : tf.concat(pending, 0);
      return tf.matMul(tf.transpose(x), x);
    });
    for (const t of pending) t.dispose();
    this.#pending = [];
    this.#pendingRows = 0;
    // Summed in float64, one product of several samples at a time (see ROWS_PER_PRODUCT).
    const values = product.dataSync() as Float32Array;
    product.dispose();
    const k = this.#k;
    const groups = this.layer.groups;
    if (values.length !== groups * k * k) throw new PatchShapeError(`layer '${this.layer.node.name}': product of ${values.length} values, expected ${groups}×${k}×${k}`);
    const sum = (this.#sum ??= new Float64Array(groups * k * k));
    for (let i = 0; i < values.length; i++) sum[i] += values[i]!;
  }

  /** The sums as float64 H (per channel for depthwise); releases what the backend keeps. */
  finish(tf: Tf): Float64Array[] {
    this.#flush(tf);
    const k = this.#k;
    const groups = this.layer.groups;
    const sum = this.#sum;
    const h = Array.from({ length: groups }, (_, g) => (sum ? sum.slice(g * k * k, (g + 1) * k * k) : new Float64Array(k * k)));
    // Conv / FC: the rows' products summed the lower triangle (the backend's full products are symmetric).
    if (groups === 1) mirrorLower(h[0]!, k);
    if (this.#hc) {
      // Lower triangles: mirrored onto a zero upper one, then added to the backend's full sums.
      const lower = Array.from({ length: groups }, () => new Float64Array(k * k));
      addChannelInner(this.#hc, k, groups, lower);
      lower.forEach((m, g) => {
        mirrorLower(m, k);
        const into = h[g]!;
        for (let i = 0; i < m.length; i++) into[i] += m[i]!;
      });
      this.#hc = undefined;
    }
    this.dispose();
    return h;
  }

  dispose(): void {
    for (const t of this.#pending) t.dispose();
    this.#pending = [];
    this.#rows = undefined;
    this.#rowCount = 0;
    this.#pendingRows = 0;
    this.#sum = undefined;
    this.#hc = undefined;
    for (const plan of this.#plans.values()) plan.indexTensor?.dispose();
    this.#plans.clear();
  }
}

/** The H of `layers` over the samples a tapped pass runs, from the live inputs. */
export class TapGram {
  readonly #tf: Tf;
  readonly #sums: LayerTapSum[];
  readonly #byInput = new Map<string, LayerTapSum[]>();
  /** The layer inputs to tap, once each. */
  readonly names: string[];

  /**
   * `samples`: how many samples the pass will add (sets the patches kept per sample, as
   * `LayerSums`; default 100). `fromMemory: false`: gather on the backend even where its memory
   * can be read in place (the path tfjs-node takes; for tests).
   */
  constructor(tf: Tf, layers: CompensableLayer[], samples?: number, options: { fromMemory?: boolean } = {}) {
    this.#tf = tf;
    this.names = layerInputs(layers).names;
    this.#sums = layers.map((layer) => new LayerTapSum(layer, samples, options.fromMemory ?? true));
    for (const s of this.#sums) {
      const name = s.layer.node.inputs[0]!;
      this.#byInput.set(name, [...(this.#byInput.get(name) ?? []), s]);
    }
  }

  /** The executor's `tap.take`: adds the layers reading `name`. */
  take(name: string, value: TfTensor): void {
    const sums = this.#byInput.get(name);
    if (!sums) return;
    for (const s of sums) s.add(this.#tf, value);
  }

  /** Per layer (in `layers` order) its H over all samples; releases the backend sums. */
  finish(): Accumulators[] {
    return this.#sums.map((s) => {
      const h = s.finish(this.#tf);
      return { h, d: new Array<Float64Array | undefined>(h.length).fill(undefined), patches: s.patches };
    });
  }

  dispose(): void {
    for (const s of this.#sums) s.dispose();
  }
}
