// QUANTIZE / DEQUANTIZE in a float interpreter. Values are always real numbers; a tensor that
// the IR declares as quantized integers is "fake-quantized" (rounded to its grid and clamped),
// so running a quantized graph here simulates its integer arithmetic closely (int8 conv,
// depthwise, dense and average pool reproduce the runtime's own rounding: integer.ts).
import { integerCodes } from '../integer-codes';
import type { Tensor } from '../model-graph';
import type { Tf } from '../tfjs-backend';
import type { KernelTable, TfTensor } from './context';

/** Round half away from zero, as TFLite does (tf.round rounds half to even). */
function roundAway(tf: Tf, x: TfTensor): TfTensor {
  return tf.mul(tf.sign(x), tf.floor(tf.add(tf.abs(x), 0.5)));
}

/** Rounds real values to the tensor's quantization grid; identity for float tensors. */
export function fakeQuantize(tf: Tf, x: TfTensor, t: Tensor): TfTensor {
  const range = integerCodes(t.dtype);
  const q = t.quant;
  if (!range || !q || q.scale.length === 0 || x.dtype !== 'float32') return x;
  if (q.scale.length > 1) {
    const axis = q.axis ?? 0;
    const shape = x.shape.map((_, i) => (i === axis ? q.scale.length : 1));
    const s = tf.tensor(q.scale, shape);
    const z = tf.tensor(q.zeroPoint, shape);
    const ints = tf.clipByValue(tf.add(roundAway(tf, tf.div(x, s)), z), range[0], range[1]);
    return tf.mul(tf.sub(ints, z), s);
  }
  const s = q.scale[0]!;
  const z = q.zeroPoint[0] ?? 0;
  const ints = tf.clipByValue(tf.add(roundAway(tf, tf.div(x, s)), z), range[0], range[1]);
  return tf.mul(tf.sub(ints, z), s);
}

export const quantKernels: KernelTable = {
  QUANTIZE(_n, ctx) {
    return fakeQuantize(ctx.tf, ctx.input(0), ctx.outputTensor(0));
  },
  // Constant inputs were already decoded (float16 bits, int8·scale) when loaded; activations
  // already carry real values. Either way the result is the input's value.
  DEQUANTIZE: (_n, ctx) => ctx.tf.clone(ctx.input(0)),
};
