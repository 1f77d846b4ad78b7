// Patch matrices and their Gram products on the tfjs backend (wasm SIMD / native), which are
// the bulk of error-compensated rounding's work for convolution and fully-connected layers.
import type { Tf } from '../../runtime/tfjs-backend';
import type { CompensableLayer } from './layer-inputs';

/** A layer's input patches for one sample (all, or ~1/`thin`), one row each in visiting order (P × K, float32). */
export function patchMatrix(layer: CompensableLayer, values: Float32Array, shape: readonly number[], thin = 1): { data: Float32Array; rows: number } {
  const k = layer.fanIn + (layer.bias ? 1 : 0);
  let data = new Float32Array(k * 256);
  let rows = 0;
  layer.forEachPatch(values, shape, (_group, patch) => {
    if ((rows + 1) * k > data.length) {
      const grown = new Float32Array(data.length * 2);
      grown.set(data);
      data = grown;
    }
    for (let i = 0; i < k; i++) data[rows * k + i] = patch[i]!;
    rows++;
  }, thin);
  return { data: data.subarray(0, rows * k), rows };
}

/** into += aᵀ·b for row-major P×K matrices a and b (b defaults to a). */
export function addTransposedProduct(tf: Tf, a: Float32Array, b: Float32Array | undefined, rows: number, k: number, into: Float64Array): void {
  // matMul with transposeA is ~10× slower on the wasm backend than a plain product, so lay out
  // aᵀ here (a P×K copy is cheap next to the K×K×P product).
  const transposed = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) transposed[i * rows + r] = a[r * k + i]!;
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(transposed, [k, rows]), tf.tensor2d(b ?? a, [rows, k])));
  const values = product.dataSync();
  product.dispose();
  for (let i = 0; i < values.length; i++) into[i] += values[i]!;
}
