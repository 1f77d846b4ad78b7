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
 * (lower triangle, j ≤ i; the bias row K−1 gets the window sums and the window count). A
 * sample's kept windows are first copied into one compact buffer, then each channel's products
 * are summed over its windows in float64 locals and added to `hc` once per sample: adding every
 * product to `hc` in place (~0.8 MB for 960 channels, read and written per window) ran at 2–3 ns
 * per product on MobileNetV2's depthwise layers, this at ~0.6 ns (`src-main/quantize/README.md`,
 * "Where int8 gptq's time goes").
 */
export function addDepthwiseGram(layer: CompensableLayer, seen: Float32Array, shape: readonly number[], thin: number, hc: Float64Array): void {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  const taps = layer.fanIn; // kh·kw for a depthwise layer
  const c = shape[3]!;
  const { x, windows } = gatherWindows(layer, seen, shape, thin);
  if (taps === 9) addWindowGram9(x, windows, c, k, layer.bias !== undefined, hc);
  else addWindowGram(x, windows, taps, c, k, layer.bias !== undefined, hc);
}

/** The buffer of `gatherWindows`, reused from call to call (grown as needed). */
let windowBuffer = new Float32Array(0);

/**
 * One sample's kept windows of a depthwise layer as [window][tap][channel] float32, zeros for
 * taps in the padding; valid until the next call.
 */
function gatherWindows(layer: CompensableLayer, seen: Float32Array, shape: readonly number[], thin: number): { x: Float32Array; windows: number } {
  const taps = layer.fanIn;
  const c = shape[3]!;
  const windows = patchRows(layer, shape, thin);
  if (windowBuffer.length < windows * taps * c) windowBuffer = new Float32Array(windows * taps * c);
  const x = windowBuffer;
  let o = 0;
  forEachDepthwiseWindow(layer, shape, thin, (at) => {
    for (let t = 0; t < taps; t++, o += c) {
      const a = at[t]!;
      if (a < 0) x.fill(0, o, o + c);
      else x.set(seen.subarray(a, a + c), o);
    }
  });
  return { x, windows };
}

/**
 * Adds one channel's sums over a sample's windows into `hc`: `sums` holds the lower triangle row
 * by row, then the tap sums (the bias row, with the window count on its diagonal).
 */
function addLowerSums(sums: Float64Array, taps: number, g: number, c: number, k: number, bias: boolean, windows: number, hc: Float64Array): void {
  let p = 0;
  for (let i = 0; i < taps; i++) for (let j = 0; j <= i; j++) hc[(i * k + j) * c + g] += sums[p++]!;
  if (!bias) return;
  const row = (k - 1) * k;
  for (let j = 0; j < taps; j++) hc[(row + j) * c + g] += sums[p++]!;
  hc[(row + k - 1) * c + g] += windows;
}

/** Any window size: per channel its windows' values tap-major, then four products per pass over them. */
function addWindowGram(x: Float32Array, windows: number, taps: number, c: number, k: number, bias: boolean, hc: Float64Array): void {
  const stride = taps * c;
  const column = new Float64Array(taps * windows);
  const sums = new Float64Array((taps * (taps + 1)) / 2 + taps);
  for (let g = 0; g < c; g++) {
    for (let t = 0; t < taps; t++) for (let w = 0, o = t * c + g; w < windows; w++, o += stride) column[t * windows + w] = x[o]!;
    let p = 0;
    for (let i = 0; i < taps; i++) {
      const xi = i * windows;
      let j = 0;
      for (; j + 3 <= i; j += 4) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let w = 0, o = j * windows; w < windows; w++, o++) {
          const v = column[xi + w]!;
          s0 += v * column[o]!;
          s1 += v * column[o + windows]!;
          s2 += v * column[o + 2 * windows]!;
          s3 += v * column[o + 3 * windows]!;
        }
        sums[p++] = s0;
        sums[p++] = s1;
        sums[p++] = s2;
        sums[p++] = s3;
      }
      for (; j <= i; j++) {
        let s = 0;
        for (let w = 0, o = j * windows; w < windows; w++, o++) s += column[xi + w]! * column[o]!;
        sums[p++] = s;
      }
    }
    for (let t = 0; t < taps; t++) {
      let s = 0;
      for (let w = 0, o = t * windows; w < windows; w++, o++) s += column[o]!;
      sums[p++] = s;
    }
    addLowerSums(sums, taps, g, c, k, bias, windows, hc);
  }
}

/**
 * `addWindowGram` for 3×3 windows, written out: per channel the 45 products of the lower
 * triangle and the 9 tap sums stay in locals over the windows (the loops of `addWindowGram`
 * keep them in memory: ~2× slower on MobileNetV2's depthwise layers).
 */
function addWindowGram9(x: Float32Array, windows: number, c: number, k: number, bias: boolean, hc: Float64Array): void {
  const stride = 9 * c;
  const sums = new Float64Array(45 + 9); // lower triangle row by row, then the tap sums
  for (let g = 0; g < c; g++) {
    let s00 = 0;
    let s10 = 0, s11 = 0;
    let s20 = 0, s21 = 0, s22 = 0;
    let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    let s40 = 0, s41 = 0, s42 = 0, s43 = 0, s44 = 0;
    let s50 = 0, s51 = 0, s52 = 0, s53 = 0, s54 = 0, s55 = 0;
    let s60 = 0, s61 = 0, s62 = 0, s63 = 0, s64 = 0, s65 = 0, s66 = 0;
    let s70 = 0, s71 = 0, s72 = 0, s73 = 0, s74 = 0, s75 = 0, s76 = 0, s77 = 0;
    let s80 = 0, s81 = 0, s82 = 0, s83 = 0, s84 = 0, s85 = 0, s86 = 0, s87 = 0, s88 = 0;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0, b8 = 0;
    for (let w = 0, o = g; w < windows; w++, o += stride) {
      const x0 = x[o]!, x1 = x[o + c]!, x2 = x[o + 2 * c]!, x3 = x[o + 3 * c]!, x4 = x[o + 4 * c]!;
      const x5 = x[o + 5 * c]!, x6 = x[o + 6 * c]!, x7 = x[o + 7 * c]!, x8 = x[o + 8 * c]!;
      s00 += x0 * x0; b0 += x0;
      s10 += x1 * x0; s11 += x1 * x1; b1 += x1;
      s20 += x2 * x0; s21 += x2 * x1; s22 += x2 * x2; b2 += x2;
      s30 += x3 * x0; s31 += x3 * x1; s32 += x3 * x2; s33 += x3 * x3; b3 += x3;
      s40 += x4 * x0; s41 += x4 * x1; s42 += x4 * x2; s43 += x4 * x3; s44 += x4 * x4; b4 += x4;
      s50 += x5 * x0; s51 += x5 * x1; s52 += x5 * x2; s53 += x5 * x3; s54 += x5 * x4; s55 += x5 * x5; b5 += x5;
      s60 += x6 * x0; s61 += x6 * x1; s62 += x6 * x2; s63 += x6 * x3; s64 += x6 * x4; s65 += x6 * x5; s66 += x6 * x6; b6 += x6;
      s70 += x7 * x0; s71 += x7 * x1; s72 += x7 * x2; s73 += x7 * x3; s74 += x7 * x4; s75 += x7 * x5; s76 += x7 * x6; s77 += x7 * x7; b7 += x7;
      s80 += x8 * x0; s81 += x8 * x1; s82 += x8 * x2; s83 += x8 * x3; s84 += x8 * x4; s85 += x8 * x5; s86 += x8 * x6; s87 += x8 * x7; s88 += x8 * x8; b8 += x8;
    }
    sums[0] = s00;
    sums[1] = s10; sums[2] = s11;
    sums[3] = s20; sums[4] = s21; sums[5] = s22;
    sums[6] = s30; sums[7] = s31; sums[8] = s32; sums[9] = s33;
    sums[10] = s40; sums[11] = s41; sums[12] = s42; sums[13] = s43; sums[14] = s44;
    sums[15] = s50; sums[16] = s51; sums[17] = s52; sums[18] = s53; sums[19] = s54; sums[20] = s55;
    sums[21] = s60; sums[22] = s61; sums[23] = s62; sums[24] = s63; sums[25] = s64; sums[26] = s65; sums[27] = s66;
    sums[28] = s70; sums[29] = s71; sums[30] = s72; sums[31] = s73; sums[32] = s74; sums[33] = s75; sums[34] = s76; sums[35] = s77;
    sums[36] = s80; sums[37] = s81; sums[38] = s82; sums[39] = s83; sums[40] = s84; sums[41] = s85; sums[42] = s86; sums[43] = s87; sums[44] = s88;
    sums[45] = b0; sums[46] = b1; sums[47] = b2; sums[48] = b3; sums[49] = b4; sums[50] = b5; sums[51] = b6; sums[52] = b7; sums[53] = b8;
    addLowerSums(sums, 9, g, c, k, bias, windows, hc);
  }
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
