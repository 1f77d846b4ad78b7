// The integer arithmetic of TFLite's int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
// AVERAGE_POOL_2D, reproduced bit for bit (checked against tflite-node on resnet8, vww, kws, ad01
// and str_ww). Rounding the exact real value once, as fake-quantization does, is not what the
// runtime does: it requantizes the int32 accumulator with a 31-bit fixed-point multiplier and two
// roundings, and rounds an average of the stored values (zero point included). About 0.1% of a
// conv's outputs then land one step apart; the steps travel down the graph, and a dense layer
// with large weights turns them into several (resnet8's last layer on 6 photos: 25.18 dB in the
// interpreter vs 27.67 dB in tflite-node). Here the accumulator is formed from the integer
// operands, exact in float32 while partial sums stay under 2^24, and requantized in float64.
import type { Tensor } from '../model-graph';
import type { Tf } from '../tfjs-backend';
import type { OpContext, TfTensor } from './context';

/** The integer operands of an int8 layer: input (q − zp), weights and bias as integer-valued float32. */
export interface IntegerOperands {
  x: TfTensor;
  inputScale: number;
  weightScales: number[];
  bias: TfTensor | undefined;
  out: Tensor;
}

function perTensorInt8(t: Tensor | undefined): t is Tensor {
  return t !== undefined && t.dtype === 'int8' && t.quant !== undefined && t.quant.scale.length === 1;
}

/**
 * The operands when the node is a full int8 layer (int8 input and output per tensor, int8
 * symmetric weights per tensor or per output channel on axis 0, int32 bias or none); otherwise
 * undefined and the kernel computes on real values.
 */
export function integerOperands(ctx: OpContext, channelAxis = 0): IntegerOperands | undefined {
  const input = ctx.inputTensor(0);
  const weights = ctx.inputTensor(1);
  const bias = ctx.inputTensor(2);
  const out = ctx.outputTensor(0);
  if (!perTensorInt8(input) || !perTensorInt8(out) || weights?.dtype !== 'int8' || !weights.quant || weights.data === undefined) return undefined;
  const wq = weights.quant;
  if (wq.zeroPoint.some((z) => z !== 0)) return undefined;
  if (wq.scale.length !== 1 && ((wq.axis ?? 0) !== channelAxis || wq.scale.length !== weights.shape[channelAxis])) return undefined;
  if (bias && (bias.dtype !== 'int32' || !bias.quant || bias.quant.scale.length === 0)) return undefined;
  const { tf } = ctx;
  const inputScale = input.quant!.scale[0]!;
  // Values on the grid are s·(q − zp) in float32: dividing back and rounding recovers q − zp
  // exactly, and padding with 0 is padding with the zero point, as TFLite does.
  const x = tf.round(tf.div(ctx.input(0), inputScale));
  return {
    x,
    inputScale,
    weightScales: wq.scale,
    bias: bias ? ctx.derived(2, 'int', (v) => tf.round(tf.div(v, tf.tensor(bias.quant!.scale)))) : undefined,
    out,
  };
}

/** Integer weights (the stored int8 values) of input `i`, scales per output channel on `channelAxis`. */
export function integerWeights(ctx: OpContext, i: number, tag: string, layout: (q: TfTensor) => TfTensor, channelAxis = 0): TfTensor {
  const { tf } = ctx;
  const t = ctx.inputTensor(i)!;
  return ctx.derived(i, `int:${tag}`, (v) => {
    const scales = t.quant!.scale;
    const shape = v.shape.map((_, k) => (k === channelAxis ? scales.length : 1));
    return layout(tf.round(tf.div(v, tf.tensor(scales, shape))));
  });
}

/** TFLite's QuantizeMultiplier: real = multiplier · 2^(shift − 31), multiplier in [2^30, 2^31). */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  let fraction = real / 2 ** shift;
  // log2 can land one off next to powers of two: bring the fraction into [0.5, 1).
  while (fraction >= 1) {
    fraction /= 2;
    shift++;
  }
  while (fraction < 0.5) {
    fraction *= 2;
    shift--;
  }
  let multiplier = Math.round(fraction * 2 ** 31);
  if (multiplier === 2 ** 31) {
    multiplier /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier, shift };
}

const TWO_16 = 2 ** 16;
const TWO_30 = 2 ** 30;
const INV_15 = 2 ** -15;
const INV_31 = 2 ** -31;

/**
 * How a kernel rounds acc · multiplier · 2^(shift − 31): first to an integer at 2^−31 (the
 * doubling high multiply: half up in both, gemmlowp's nudge toward zero for a negative product
 * comes to the same), then by the right shift: 'half-up' in ruy, which runs tflite-node's CONV_2D
 * and FULLY_CONNECTED on x86; 'half-away' (from zero) in TFLite's own MultiplyByQuantizedMultiplier,
 * which its DEPTHWISE_CONV_2D uses. Measured against tflite-node, bit for bit.
 */
export type Rounding = 'half-up' | 'half-away';

/**
 * The runtime's requantization of an int32 accumulator. Exact in float64: the 62-bit product is
 * split at bit 16 of the multiplier, and every division is by a power of two (a multiplication
 * by its exact inverse).
 */
export function multiplyByQuantizedMultiplier(acc: number, multiplier: number, shift: number, rounding: Rounding): number {
  const a = shift > 0 ? acc * 2 ** shift : acc;
  const high = Math.floor(multiplier / TWO_16);
  const low = multiplier - high * TWO_16;
  const p1 = a * high; // |p1| < 2^46
  const whole = Math.floor(p1 * INV_15);
  // a·multiplier = whole·2^31 + rest, 0 ≤ rest < 2^48.
  const rest = (p1 - whole * 32768) * TWO_16 + a * low;
  const product = whole + Math.floor((rest + TWO_30) * INV_31);
  if (shift >= 0) return product;
  const pot = 2 ** -shift;
  const floor = Math.floor(product * 2 ** shift);
  const remainder = product - floor * pot;
  if (rounding === 'half-up') return floor + (remainder >= pot / 2 ? 1 : 0);
  return floor + (remainder > Math.floor((pot - 1) / 2) + (product < 0 ? 1 : 0) ? 1 : 0);
}

/**
 * The layer's output from its int32 accumulators (`acc`, channels last): requantized with the
 * runtime's multiplier per channel, clamped to int8, returned as real values s·(q − zp).
 */
export function requantize(tf: Tf, acc: TfTensor, ops: IntegerOperands, rounding: Rounding): TfTensor {
  const values = acc.dataSync() as Float32Array;
  const outQuant = ops.out.quant!;
  const outScale = outQuant.scale[0]!;
  const zp = outQuant.zeroPoint[0] ?? 0;
  const channels = ops.weightScales.length;
  // TFLite forms the effective scale in double from the float32 scales.
  const multipliers = ops.weightScales.map((s) => quantizeMultiplier((ops.inputScale * s) / outScale));
  const real = Float64Array.from(multipliers, ({ multiplier, shift }) => multiplier * 2 ** (shift - 31));
  // The first rounding moves the value by at most 2^(shift−1) output steps: off a rounding
  // boundary by more than that (twice, plus float64's error) the result is the nearest integer of
  // acc·real whatever the rule; only the others take the exact path.
  const margin = Float64Array.from(multipliers, ({ shift }) => 2 ** Math.min(shift, 0));
  const out = new Float32Array(values.length);
  for (let base = 0; base < values.length; base += channels) {
    for (let c = 0; c < channels && base + c < values.length; c++) {
      const acc = values[base + c]!;
      const y = acc * real[c]!;
      const nearest = Math.floor(y + 0.5);
      let q: number;
      if (Math.abs(y - nearest) < 0.5 - margin[c]! - 1e-12 * Math.abs(y)) q = nearest;
      else q = multiplyByQuantizedMultiplier(acc, multipliers[c]!.multiplier, multipliers[c]!.shift, rounding);
      q = Math.min(127, Math.max(-128, q + zp));
      out[base + c] = (q - zp) * outScale;
    }
  }
  return tf.tensor(out, acc.shape, 'float32');
}

/**
 * TFLite's int8 AVERAGE_POOL_2D (input and output share scale and zero point): the mean of the
 * stored values, zero point included, rounded half away from zero; not the mean of the real
 * values rounded, which breaks ties the other way where the stored mean is negative. `pool` is the
 * float pooling. Sums are integers and a tie is exactly k + ½, while any other mean of at most
 * 10^4 values sits at least 10^−4 from it, far above float32's error: the margin decides ties.
 */
export function averagePoolInt8(tf: Tf, ctx: OpContext, pool: (x: TfTensor) => TfTensor): TfTensor | undefined {
  const input = ctx.inputTensor(0);
  const out = ctx.outputTensor(0);
  if (!perTensorInt8(input) || !perTensorInt8(out)) return undefined;
  const s = input.quant!.scale[0]!;
  const zp = input.quant!.zeroPoint[0] ?? 0;
  if (out.quant!.scale[0] !== s || (out.quant!.zeroPoint[0] ?? 0) !== zp) return undefined;
  const mean = pool(tf.add(tf.round(tf.div(ctx.input(0), s)), zp));
  const q = tf.mul(tf.sign(mean), tf.floor(tf.add(tf.abs(mean), 0.5 + 1e-4)));
  return tf.mul(tf.sub(q, zp), s);
}

