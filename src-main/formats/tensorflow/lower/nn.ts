// Pooling, reductions and resizing.
import type { OpType } from '../../../graph/ops';
import { UnsupportedError } from '../../../errors';
import { attrBool, attrInts, attrString, dataInputs, type TfNode } from '../tf-node';
import { windowOutput, type LowerContext } from './context';

export function lowerPool(ctx: LowerContext, node: TfNode): void {
  const x = ctx.get(dataInputs(node)[0]!);
  if (attrString(node, 'data_format', 'NHWC') !== 'NHWC') {
    throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' is not NHWC.`);
  }
  const [, kh, kw] = attrInts(node, 'ksize');
  const [, sh, sw] = attrInts(node, 'strides');
  const pad = attrString(node, 'padding', 'VALID') === 'SAME' ? 'SAME' : 'VALID';
  const shape = [x.shape[0]!, windowOutput(x.shape[1]!, kh!, sh!, 1, pad), windowOutput(x.shape[2]!, kw!, sw!, 1, pad), x.shape[3]!];
  ctx.emit(
    node,
    {
      op: node.op === 'MaxPool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
      inputs: [x.ir],
      options: { padding: pad, strideH: sh!, strideW: sw!, filterH: kh!, filterW: kw!, fusedActivation: 'NONE' },
    },
    shape,
  );
}

const REDUCERS: Record<string, OpType> = { Mean: 'MEAN', Sum: 'SUM', Max: 'REDUCE_MAX', Min: 'REDUCE_MIN' };

export function lowerReduce(ctx: LowerContext, node: TfNode): void {
  const [xRef, axesRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const axes = ctx.constantInts(node, axesRef!, 'reduction axes').map((a) => (a < 0 ? a + x.shape.length : a));
  const keepDims = attrBool(node, 'keep_dims');
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const a = ctx.addConst(`${node.name}/axes`, 'int32', [axes.length], Int32Array.from(axes));
  ctx.emit(node, { op: REDUCERS[node.op]!, inputs: [x.ir, a], options: { keepDims } } as never, shape);
}

export function lowerResize(ctx: LowerContext, node: TfNode): void {
  const [xRef, sizeRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const [h, w] = ctx.constantInts(node, sizeRef!, 'size');
  const size = ctx.addConst(`${node.name}/size`, 'int32', [2], Int32Array.of(h!, w!));
  ctx.emit(
    node,
    {
      op: node.op === 'ResizeBilinear' ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR',
      inputs: [x.ir, size],
      options: { alignCorners: attrBool(node, 'align_corners'), halfPixelCenters: attrBool(node, 'half_pixel_centers') },
    } as never,
    [x.shape[0]!, h!, w!, x.shape[3]!],
  );
}
