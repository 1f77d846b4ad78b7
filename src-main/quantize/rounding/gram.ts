// A layer's patch products for one sample: the bulk of error-compensated rounding's work.
// Conv / FC: the kept patches as one P×K matrix (rows copied straight from the input for 1×1
// stride-1 windows and dense layers), XᵀX and Xᵀ·(F − X) on the tfjs backend. Depthwise: many
// small (kh·kw + 1)² products, summed in float64 in plain loops. Measured on MobileNetV2 (int8
// gptq, 100 images): the generic per-patch callbacks these replace took ~40% of the time.
import type { Tf } from '../../graph/tfjs-backend';
import { kept, windowAxis, type CompensableLayer } from './layer-inputs';

/** Kept output positions for `positions` positions, per thinning (fixed hash). */
const keptCache = new Map<string, Int32Array>();

export function keptPositions(positions: number, thin: number): Int32Array {
  const key = `${positions}:${thin}`;
  let list = keptCache.get(key);
  if (!list) {
    const out: number[] = [];
    for (let p = 0; p < positions; p++) if (kept(p, thin)) out.push(p);
    list = Int32Array.from(out);
    if (keptCache.size > 512) keptCache.clear();
    keptCache.set(key, list);
  }
  return list;
}

/** Whether each patch is one input row of fanIn values (dense, or a 1×1 stride-1 window). */
export function rowPatches(layer: CompensableLayer): boolean {
  const w = layer.window;
  return w.kind === 'dense' || (w.kind === 'conv' && w.kh === 1 && w.kw === 1 && w.strideH === 1 && w.strideW === 1);
}

/** A layer's input patches for one sample (all, or ~1/`thin`), one row each in visiting order (P × K, float32). */
export function patchMatrix(layer: CompensableLayer, values: Float32Array, shape: readonly number[], thin = 1, biasValue = 1): { data: Float32Array; rows: number } {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const data = new Float32Array(patchRows(layer, shape, thin) * k);
  return { data, rows: writePatches(layer, values, shape, thin, data, 0, biasValue) };
}

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * Math.max(b, 1), 1);

/** How many rows `writePatches` writes for an input of `shape`. */
export function patchRows(layer: CompensableLayer, shape: readonly number[], thin: number): number {
  if (rowPatches(layer)) return keptPositions(Math.floor(elements(shape) / layer.fanIn), thin).length;
  return keptPositions(layer.positions(shape), thin).length * Math.max(1, shape[0]!);
}

/**
 * Writes the patches of `patchMatrix` into `out` from row `row` on (the caller's reused buffer:
 * no matrix per sample and layer to collect); returns the rows written.
 */
export function writePatches(
  layer: CompensableLayer,
  values: Float32Array,
  shape: readonly number[],
  thin: number,
  out: Float32Array,
  row: number,
  biasValue = 1,
): number {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const start = row;
  if (rowPatches(layer)) {
    const fanIn = layer.fanIn;
    const picked = keptPositions(Math.floor(elements(shape) / fanIn), thin);
    for (const p of picked) {
      const from = p * fanIn;
      out.set(values.subarray(from, from + fanIn), row * k);
      if (layer.bias) out[row * k + fanIn] = biasValue;
      row++;
    }
    return row - start;
  }
  layer.forEachPatch(values, shape, (_group, patch) => {
    const at = row * k;
    for (let i = 0; i < k; i++) out[at + i] = patch[i]!;
    if (layer.bias) out[at + k - 1] = biasValue;
    row++;
  }, thin);
  return row - start;
}

/** into += aᵀ·b for row-major P×K matrices a and b (b defaults to a), on the backend. */
export function addTransposedProduct(tf: Tf, a: Float32Array, b: Float32Array | undefined, rows: number, k: number, into: Float64Array): void {
  // matMul with transposeA is ~10× slower on the wasm backend than a plain product; a backend
  // transpose first is cheaper than laying out aᵀ in JavaScript (cache-unfriendly for large K).
  const product = tf.tidy(() => {
    const x = tf.tensor2d(a, [rows, k]);
    return tf.matMul(tf.transpose(x), b ? tf.tensor2d(b, [rows, k]) : x);
  });
  const values = product.dataSync();
  product.dispose();
  for (let i = 0; i < values.length; i++) into[i] += values[i]!;
}

/**
 * Calls `visit(pixels)` for every kept window of a conv or depthwise layer over the batch, in
 * `forEachPatch`'s order (batch item, then kept position): `pixels` holds the input pixel index
 * (batch item × h × w + row × w + column) of each of the window's kh·kw taps in (dy, dx) order,
 * -1 for taps in the padding. The array is reused from window to window.
 */
export function forEachKeptWindow(layer: CompensableLayer, shape: readonly number[], thin: number, visit: (pixels: Int32Array) => void): void {
  const w = layer.window;
  if (w.kind === 'dense') throw new Error(`layer '${layer.node.name}' has no window`);
  const [, height, width] = shape as [number, number, number, number];
  const rows = windowAxis(height, w.kh, w.strideH, w.dilationH, w.padding);
  const cols = windowAxis(width, w.kw, w.strideW, w.dilationW, w.padding);
  const picked = keptPositions(rows.out * cols.out, thin);
  const pixels = new Int32Array(w.kh * w.kw);
  const batch = Math.max(1, shape[0]!);
  for (let n = 0; n < batch; n++) {
    const base = n * height * width;
    for (const position of picked) {
      const y0 = Math.floor(position / cols.out) * w.strideH - rows.before;
      const x0 = (position % cols.out) * w.strideW - cols.before;
      for (let dy = 0, t = 0; dy < w.kh; dy++) {
        const iy = y0 + dy * w.dilationH;
        for (let dx = 0; dx < w.kw; dx++, t++) {
          const ix = x0 + dx * w.dilationW;
          pixels[t] = iy >= 0 && iy < height && ix >= 0 && ix < width ? base + iy * width + ix : -1;
        }
      }
      visit(pixels);
    }
  }
}

/**
 * Calls `visit(at)` for every kept window of a depthwise layer over the batch: `at` holds the
 * input offsets (pixel × c) of the window's kh·kw taps, -1 for taps in the padding. Returns
 * the channel count.
 */
function forEachDepthwiseWindow(layer: CompensableLayer, shape: readonly number[], thin: number, visit: (at: Int32Array) => void): number {
  const w = layer.window;
  if (w.kind !== 'depthwise') throw new Error(`layer '${layer.node.name}' is not depthwise`);
  const c = shape[3]!;
  const at = new Int32Array(w.kh * w.kw);
  forEachKeptWindow(layer, shape, thin, (pixels) => {
    for (let t = 0; t < at.length; t++) at[t] = pixels[t]! < 0 ? -1 : pixels[t]! * c;
    visit(at);
  });
  return c;
}

/**
 * Depthwise layers: per channel g, h[g] += x·xᵀ (lower triangle) and, with `exact`,
 * d[g] += x·(f − x)ᵀ, over the kept positions; x is the kh·kw window (+ 1 for the bias).
 */
export function addDepthwiseProducts(
  layer: CompensableLayer,
  seen: Float32Array,
  exact: Float32Array | undefined,
  shape: readonly number[],
  thin: number,
  h: Float64Array[],
  d: (Float64Array | undefined)[],
): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const taps = layer.fanIn; // kh·kw for a depthwise layer
  const c = shape[3]!;
  const x = new Float64Array(k);
  const f = new Float64Array(k);
  if (layer.bias) x[k - 1] = 1;
  forEachDepthwiseWindow(layer, shape, thin, (at) => {
    for (let g = 0; g < c; g++) {
      for (let t = 0; t < taps; t++) x[t] = at[t]! < 0 ? 0 : seen[at[t]! + g]!;
      const hg = h[g]!;
      for (let i = 0; i < k; i++) {
        const xi = x[i]!;
        if (xi === 0) continue;
        const row = i * k;
        for (let j = 0; j <= i; j++) hg[row + j] += xi * x[j]!;
      }
      if (!exact) continue;
      for (let t = 0; t < taps; t++) f[t] = at[t]! < 0 ? 0 : exact[at[t]! + g]! - x[t]!;
      const dg = (d[g] ??= new Float64Array(k * k));
      for (let i = 0; i < k; i++) {
        const xi = x[i]!;
        if (xi === 0) continue;
        const row = i * k;
        for (let j = 0; j < taps; j++) dg[row + j] += xi * f[j]!;
      }
    }
  });
}

/**
 * Depthwise H without D, channel-inner: hc[(i·K + j)·C + g] += x_i·x_j over the kept windows
 * (lower triangle, j ≤ i), channel g of tap i read at one offset per window. The inner loops
 * run over the C contiguous channels of the NHWC input with no branch, where the per-channel
 * loops of `addDepthwiseProducts` gather each channel's window and test each product.
 */
export function addDepthwiseGram(layer: CompensableLayer, seen: Float32Array, shape: readonly number[], thin: number, hc: Float64Array): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const taps = layer.fanIn; // kh·kw for a depthwise layer
  const c = shape[3]!;
  forEachDepthwiseWindow(layer, shape, thin, (at) => {
    for (let i = 0; i < taps; i++) {
      const ai = at[i]!;
      if (ai < 0) continue; // zero padding adds nothing
      for (let j = 0; j <= i; j++) {
        const aj = at[j]!;
        if (aj < 0) continue;
        const o = (i * k + j) * c;
        for (let g = 0; g < c; g++) hc[o + g] += seen[ai + g]! * seen[aj + g]!;
      }
    }
    if (!layer.bias) return;
    // The bias column (x = 1): row K−1 gets the window's values, and its diagonal 1.
    for (let j = 0; j < taps; j++) {
      const aj = at[j]!;
      if (aj < 0) continue;
      const o = ((k - 1) * k + j) * c;
      for (let g = 0; g < c; g++) hc[o + g] += seen[aj + g]!;
    }
    const o = ((k - 1) * k + k - 1) * c;
    for (let g = 0; g < c; g++) hc[o + g] += 1;
  });
}

/** Adds the channel-inner lower triangles of `addDepthwiseGram` into the per-channel matrices. */
export function addChannelInner(hc: Float64Array, k: number, c: number, h: Float64Array[]): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      const o = (i * k + j) * c;
      for (let g = 0; g < c; g++) h[g]![i * k + j] += hc[o + g]!;
    }
  }
}

/** Copies the lower triangle of each K×K matrix onto its upper one. */
export function mirrorLower(h: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) h[j * k + i] = h[i * k + j]!;
}
