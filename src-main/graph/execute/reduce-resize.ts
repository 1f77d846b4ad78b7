// Reductions over constant axes and image resizing with TFLite's corner/centre conventions.
import type { Tensor4D } from '@tensorflow/tfjs';
import { axisOf, type KernelTable, type OpContext } from './context';

function axes(ctx: OpContext, rank: number): number[] {
  return ctx.ints(1).map((a) => axisOf(a, rank));
}

export const reduceResizeKernels: KernelTable = {
  MEAN(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.mean(x, axes(ctx, x.rank), node.options.keepDims);
  },
  SUM(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.sum(x, axes(ctx, x.rank), node.options.keepDims);
  },
  REDUCE_MAX(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.max(x, axes(ctx, x.rank), node.options.keepDims);
  },
  REDUCE_MIN(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.min(x, axes(ctx, x.rank), node.options.keepDims);
  },
  REDUCE_PROD(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.prod(x, axes(ctx, x.rank), node.options.keepDims);
  },
  RESIZE_BILINEAR(node, ctx) {
    const [h, w] = ctx.ints(1) as [number, number];
    return ctx.tf.image.resizeBilinear(ctx.input(0) as Tensor4D, [h, w], node.options.alignCorners, node.options.halfPixelCenters);
  },
  RESIZE_NEAREST_NEIGHBOR(node, ctx) {
    const [h, w] = ctx.ints(1) as [number, number];
    return ctx.tf.image.resizeNearestNeighbor(ctx.input(0) as Tensor4D, [h, w], node.options.alignCorners, node.options.halfPixelCenters);
  },
};
