// Index and block-rearrangement ops: GATHER_ND, TILE, ARG_MAX, DEPTH_TO_SPACE, SPACE_TO_DEPTH;
// the post-processing ops TOPK_V2, EQUAL, NON_MAX_SUPPRESSION_V4/V5.
import type { Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { axisOf, type KernelTable, type OpContext, type TfTensor } from './context';

function asInt(ctx: OpContext, t: TfTensor): TfTensor {
  return t.dtype === 'int32' ? t : ctx.tf.cast(t, 'int32');
}

/** TFLite's NMS: boxes [N, 4], scores [N]; the selection (V5: and its scores) zero-padded to max_output_size, then the valid count. */
function nonMaxSuppression(ctx: OpContext, v5: boolean): TfTensor[] {
  const { tf } = ctx;
  const scalar = (i: number) => ctx.input(i).dataSync()[0] ?? 0;
  const max = ctx.ints(2)[0] ?? 0;
  const kept = tf.image.nonMaxSuppressionWithScore(ctx.input(0) as Tensor2D, ctx.input(1) as Tensor1D, max, scalar(3), scalar(4), v5 ? scalar(5) : 0);
  const count = kept.selectedIndices.shape[0] ?? 0;
  const padded = (t: TfTensor) => tf.pad(t, [[0, max - count]]);
  return [padded(kept.selectedIndices), ...(v5 ? [padded(kept.selectedScores)] : []), tf.scalar(count, 'int32')];
}

export const indexSpaceKernels: KernelTable = {
  NON_MAX_SUPPRESSION_V4: (_n, ctx) => nonMaxSuppression(ctx, false),
  NON_MAX_SUPPRESSION_V5: (_n, ctx) => nonMaxSuppression(ctx, true),
  GATHER_ND: (_n, ctx) => ctx.tf.gatherND(ctx.input(0), asInt(ctx, ctx.input(1))),
  TILE: (_n, ctx) => ctx.tf.tile(ctx.input(0), ctx.ints(1)),
  TOPK_V2(_n, ctx) {
    const { values, indices } = ctx.tf.topk(ctx.input(0), ctx.ints(1)[0] ?? 1, true);
    return [values, indices];
  },
  EQUAL: (_n, ctx) => ctx.tf.equal(ctx.input(0), ctx.input(1)),
  ARG_MAX(_n, ctx) {
    const x = ctx.input(0);
    return ctx.tf.argMax(x, axisOf(ctx.ints(1)[0] ?? 0, x.rank));
  },
  DEPTH_TO_SPACE: (node, ctx) => ctx.tf.depthToSpace(ctx.input(0) as Tensor4D, node.options.blockSize, 'NHWC'),
  SPACE_TO_DEPTH(node, ctx) {
    // TensorFlow's layout: output channel = (dy * block + dx) * C + c.
    const { tf } = ctx;
    const x = ctx.input(0);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const b = node.options.blockSize;
    const blocks = tf.reshape(x, [n, h / b, b, w / b, b, c]);
    return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [n, h / b, w / b, b * b * c]);
  },
};
