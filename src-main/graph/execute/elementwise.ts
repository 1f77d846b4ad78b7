// Element-wise binary ops (broadcasting, fused activation), unary activations and softmax.
import { fused, type KernelTable } from './context';

export const elementwiseKernels: KernelTable = {
  ADD: (node, ctx) => fused(ctx.tf, ctx.tf.add(ctx.input(0), ctx.input(1)), node.options.fusedActivation, node),
  SUB: (node, ctx) => fused(ctx.tf, ctx.tf.sub(ctx.input(0), ctx.input(1)), node.options.fusedActivation, node),
  MUL: (node, ctx) => fused(ctx.tf, ctx.tf.mul(ctx.input(0), ctx.input(1)), node.options.fusedActivation, node),
  DIV: (node, ctx) => fused(ctx.tf, ctx.tf.div(ctx.input(0), ctx.input(1)), node.options.fusedActivation, node),
  MAXIMUM: (_n, ctx) => ctx.tf.maximum(ctx.input(0), ctx.input(1)),
  MINIMUM: (_n, ctx) => ctx.tf.minimum(ctx.input(0), ctx.input(1)),
  SQUARED_DIFFERENCE: (_n, ctx) => ctx.tf.squaredDifference(ctx.input(0), ctx.input(1)),
  POW: (_n, ctx) => ctx.tf.pow(ctx.input(0), ctx.input(1)),
  FLOOR_DIV: (_n, ctx) => ctx.tf.floorDiv(ctx.input(0), ctx.input(1)),
  FLOOR_MOD: (_n, ctx) => ctx.tf.mod(ctx.input(0), ctx.input(1)),

  RELU: (_n, ctx) => ctx.tf.relu(ctx.input(0)),
  RELU6: (_n, ctx) => ctx.tf.clipByValue(ctx.input(0), 0, 6),
  RELU_N1_TO_1: (_n, ctx) => ctx.tf.clipByValue(ctx.input(0), -1, 1),
  RELU_0_TO_1: (_n, ctx) => ctx.tf.clipByValue(ctx.input(0), 0, 1),
  LEAKY_RELU(node, ctx) {
    const { tf } = ctx;
    const x = ctx.input(0);
    // max(x, alpha*x) is wrong for alpha > 1; select explicitly as TFLite does.
    return tf.where(tf.greaterEqual(x, 0), x, tf.mul(x, node.options.alpha));
  },
  PRELU(_n, ctx) {
    const { tf } = ctx;
    const x = ctx.input(0);
    return tf.add(tf.relu(x), tf.mul(ctx.input(1), tf.minimum(x, 0)));
  },
  ELU: (_n, ctx) => ctx.tf.elu(ctx.input(0)),
  HARD_SWISH(_n, ctx) {
    const { tf } = ctx;
    const x = ctx.input(0);
    return tf.mul(x, tf.div(tf.clipByValue(tf.add(x, 3), 0, 6), 6));
  },
  GELU(node, ctx) {
    const { tf } = ctx;
    const x = ctx.input(0);
    if (node.options.approximate) {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  },
  LOGISTIC: (_n, ctx) => ctx.tf.sigmoid(ctx.input(0)),
  TANH: (_n, ctx) => ctx.tf.tanh(ctx.input(0)),
  EXP: (_n, ctx) => ctx.tf.exp(ctx.input(0)),
  LOG: (_n, ctx) => ctx.tf.log(ctx.input(0)),
  SQRT: (_n, ctx) => ctx.tf.sqrt(ctx.input(0)),
  RSQRT: (_n, ctx) => ctx.tf.rsqrt(ctx.input(0)),
  SQUARE: (_n, ctx) => ctx.tf.square(ctx.input(0)),
  NEG: (_n, ctx) => ctx.tf.neg(ctx.input(0)),
  ABS: (_n, ctx) => ctx.tf.abs(ctx.input(0)),
  FLOOR: (_n, ctx) => ctx.tf.floor(ctx.input(0)),
  SOFTMAX(node, ctx) {
    const { tf } = ctx;
    const beta = node.options.beta ?? 1;
    const x = ctx.input(0);
    return tf.softmax(beta === 1 ? x : tf.mul(x, beta));
  },
  LOG_SOFTMAX: (_n, ctx) => ctx.tf.logSoftmax(ctx.input(0)),
  SELECT_V2(_n, ctx) {
    const { tf } = ctx;
    const cond = tf.cast(ctx.input(0), 'bool');
    const a = ctx.input(1);
    const b = ctx.input(2);
    const shape = tf.broadcastArgs(tf.broadcastArgs(tf.tensor1d(cond.shape, 'int32'), tf.tensor1d(a.shape, 'int32')), tf.tensor1d(b.shape, 'int32'));
    const target = Array.from(shape.dataSync());
    return tf.where(tf.broadcastTo(cond, target), tf.broadcastTo(a, target), tf.broadcastTo(b, target));
  },
};
