// Pooling, reductions and resizing.
import type { OpType } from '../../../graph/ops';
import { UnsupportedError } from '../../../errors';
import { attrBool, attrFloat, attrInts, attrString, dataInputs, type TfNode } from '../tf-node';
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

const REDUCERS: Record<string, OpType> = { Mean: 'MEAN', Sum: 'SUM', Max: 'REDUCE_MAX', Min: 'REDUCE_MIN', Prod: 'REDUCE_PROD' };

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

/** FusedBatchNorm in inference mode: y = x·m + b with m = scale/√(var+ε), b = offset − mean·m. */
export function lowerFusedBatchNorm(ctx: LowerContext, node: TfNode): void {
  if (attrBool(node, 'is_training')) {
    throw new UnsupportedError(`${ctx.modelName}: ${node.op} '${node.name}' is in training mode; export the model for inference.`);
  }
  const [xRef, scaleRef, offsetRef, meanRef, varRef] = dataInputs(node);
  const x = ctx.get(xRef!);
  const scale = ctx.constant(node, scaleRef!, 'scale');
  const offset = ctx.constant(node, offsetRef!, 'offset');
  const mean = ctx.constant(node, meanRef!, 'mean');
  const variance = ctx.constant(node, varRef!, 'variance');
  const eps = attrFloat(node, 'epsilon', 1e-3);
  const channels = scale.length;
  const m = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    m[c] = scale[c]! / Math.sqrt(variance[c]! + eps);
    b[c] = offset[c]! - mean[c]! * m[c]!;
  }
  const mName = ctx.addConst(`${node.name}/mul`, 'float32', [channels], m);
  const bName = ctx.addConst(`${node.name}/add`, 'float32', [channels], b);
  const scaled = ctx.emit(node, { name: `${node.name}/mul`, op: 'MUL', inputs: [x.ir, mName], options: { fusedActivation: 'NONE' } }, x.shape);
  ctx.emit(node, { op: 'ADD', inputs: [scaled.ir, bName], options: { fusedActivation: 'NONE' } }, x.shape);
}
