// Convolutions, fully connected, pooling and batch matmul with TFLite weight layouts:
// CONV_2D weights [out, kh, kw, in], DEPTHWISE [1, kh, kw, in*multiplier],
// TRANSPOSE_CONV [out, kh, kw, in], FULLY_CONNECTED [out, in].
import type { Tensor4D, Tensor2D, Tensor3D } from '@tensorflow/tfjs';
import { ExecuteUnsupportedError, fused, type KernelTable, type TfTensor } from './context';
import { averagePoolInt8, integerOperands, integerWeights, requantize } from './integer';

function addBias(x: TfTensor, bias: TfTensor | undefined, add: (a: TfTensor, b: TfTensor) => TfTensor): TfTensor {
  return bias ? add(x, bias) : x;
}

export const nnKernels: KernelTable = {
  CONV_2D(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    const ints = integerOperands(ctx);
    const x = (ints ? ints.x : ctx.input(0)) as Tensor4D;
    const w = ctx.input(1);
    const inC = x.shape[3];
    const wIn = w.shape[3]!;
    const hwio = (v: TfTensor): TfTensor => tf.transpose(v, [1, 2, 3, 0]);
    const filter = (ints ? integerWeights(ctx, 1, 'hwio', hwio) : ctx.derived(1, 'hwio', hwio)) as Tensor4D;
    let y: TfTensor;
    if (wIn === inC) {
      y = tf.conv2d(x, filter, [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid', 'NHWC', [o.dilationH, o.dilationW]);
    } else if (inC % wIn === 0) {
      // Grouped convolution (TFLite 2.9+): filter input depth is a divisor of the input depth.
      const groups = inC / wIn;
      const xs = tf.split(x, groups, 3);
      const fs = tf.split(filter, groups, 3);
      y = tf.concat(
        xs.map((xi, g) => tf.conv2d(xi as Tensor4D, fs[g] as Tensor4D, [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid', 'NHWC', [o.dilationH, o.dilationW])),
        3,
      );
    } else {
      throw new ExecuteUnsupportedError(`Node '${node.name}': CONV_2D filter depth ${wIn} does not divide input depth ${inC}.`);
    }
    if (ints) return fused(tf, requantize(tf, addBias(y, ints.bias, tf.add), ints, 'half-up'), o.fusedActivation, node);
    return fused(tf, addBias(y, ctx.optionalInput(2), tf.add), o.fusedActivation, node);
  },

  DEPTHWISE_CONV_2D(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    const ints = integerOperands(ctx, 3);
    const x = (ints ? ints.x : ctx.input(0)) as Tensor4D;
    const w = ctx.input(1);
    const inC = x.shape[3];
    const [, kh, kw, outC] = w.shape as number[];
    const multiplier = outC! / inC;
    // TFLite output channel c*multiplier+m is tfjs filter [kh, kw, c, m]: same memory order.
    const layout = (v: TfTensor): TfTensor => tf.reshape(v, [kh!, kw!, inC, multiplier]);
    const filter = (ints ? integerWeights(ctx, 1, `dw${inC}`, layout, 3) : ctx.derived(1, `dw${inC}`, layout)) as Tensor4D;
    const y = tf.depthwiseConv2d(x, filter, [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid', 'NHWC', [o.dilationH, o.dilationW]);
    if (ints) return fused(tf, requantize(tf, addBias(y, ints.bias, tf.add), ints, 'half-away'), o.fusedActivation, node);
    return fused(tf, addBias(y, ctx.optionalInput(2), tf.add), o.fusedActivation, node);
  },

  TRANSPOSE_CONV(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    const outputShape = ctx.ints(0) as [number, number, number, number];
    const x = ctx.input(2) as Tensor4D;
    const filter = ctx.derived(1, 'hwoi', (v) => tf.transpose(v, [1, 2, 0, 3])) as Tensor4D; // [kh, kw, out, in]
    const y = tf.conv2dTranspose(x, filter, outputShape, [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid');
    return fused(tf, addBias(y, ctx.optionalInput(3), tf.add), o.fusedActivation, node);
  },

  FULLY_CONNECTED(node, ctx) {
    const { tf } = ctx;
    const o = node.options;
    const ints = integerOperands(ctx);
    const x = ints ? ints.x : ctx.input(0);
    const w = (ints ? integerWeights(ctx, 1, 'fc', (q) => q) : ctx.input(1)) as Tensor2D;
    const [units, depth] = w.shape;
    const flat = tf.reshape(x, [-1, depth]) as Tensor2D;
    const product = tf.matMul(flat, w, false, true);
    let y = ints ? requantize(tf, addBias(product, ints.bias, tf.add), ints, 'half-up') : addBias(product, ctx.optionalInput(2), tf.add);
    if (o.keepNumDims) y = tf.reshape(y, [...x.shape.slice(0, -1), units]);
    return fused(tf, y, o.fusedActivation, node);
  },

  AVERAGE_POOL_2D(node, ctx) {
    const o = node.options;
    const pool = (x: TfTensor): TfTensor => ctx.tf.avgPool(x as Tensor4D, [o.filterH, o.filterW], [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid');
    const y = averagePoolInt8(ctx.tf, ctx, pool) ?? pool(ctx.input(0));
    return fused(ctx.tf, y, o.fusedActivation, node);
  },

  MAX_POOL_2D(node, ctx) {
    const o = node.options;
    const y = ctx.tf.maxPool(ctx.input(0) as Tensor4D, [o.filterH, o.filterW], [o.strideH, o.strideW], o.padding.toLowerCase() as 'same' | 'valid');
    return fused(ctx.tf, y, o.fusedActivation, node);
  },

  BATCH_MATMUL(node, ctx) {
    const o = node.options;
    return ctx.tf.matMul(ctx.input(0) as Tensor3D, ctx.input(1) as Tensor3D, o.adjX, o.adjY);
  },
};
