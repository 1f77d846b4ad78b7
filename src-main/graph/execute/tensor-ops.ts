// Shape and data-movement ops: reshape, concat, pad, slices, gather, transpose, split…
import type { Tensor as TfTensorT } from '@tensorflow/tfjs';
import { axisOf, ExecuteUnsupportedError, fused, type KernelTable, type OpContext, type TfTensor } from './context';

function reshapeTarget(x: TfTensor, shape: number[]): number[] {
  // TFLite allows one -1; tfjs does too. A stale batch dim of 1 when running batch > 1 is
  // rewritten to -1 so that a model exported with a fixed batch still runs with a batch.
  const known = shape.reduce((n, d) => (d > 0 ? n * d : n), 1);
  if (!shape.includes(-1) && known !== x.size && shape[0] === 1 && x.size % (known || 1) === 0) return [-1, ...shape.slice(1)];
  return shape;
}

function paddings(ctx: OpContext, rank: number): [number, number][] {
  const flat = ctx.ints(1);
  const pairs: [number, number][] = [];
  for (let d = 0; d < rank; d++) pairs.push([flat[2 * d] ?? 0, flat[2 * d + 1] ?? 0]);
  return pairs;
}

function asInt(ctx: OpContext, t: TfTensor): TfTensor {
  return t.dtype === 'int32' ? t : ctx.tf.cast(t, 'int32');
}

export const tensorKernels: KernelTable = {
  RESHAPE(node, ctx) {
    const x = ctx.input(0);
    const shape = node.inputs[1] ? ctx.ints(1) : node.options.newShape;
    return ctx.tf.reshape(x, reshapeTarget(x, shape));
  },
  SQUEEZE(node, ctx) {
    const x = ctx.input(0);
    const dims = node.options.squeezeDims ?? [];
    return ctx.tf.squeeze(x, dims.length ? dims.map((d) => axisOf(d, x.rank)) : undefined);
  },
  EXPAND_DIMS(_n, ctx) {
    const x = ctx.input(0);
    const axis = ctx.ints(1)[0] ?? 0;
    return ctx.tf.expandDims(x, axis < 0 ? axis + x.rank + 1 : axis);
  },
  TRANSPOSE: (_n, ctx) => ctx.tf.transpose(ctx.input(0), ctx.ints(1)),
  CONCATENATION(node, ctx) {
    const parts = node.inputs.map((_, i) => ctx.input(i));
    const axis = axisOf(node.options.axis, parts[0]!.rank);
    return fused(ctx.tf, ctx.tf.concat(parts, axis), node.options.fusedActivation, node);
  },
  PACK(node, ctx) {
    const parts = node.inputs.map((_, i) => ctx.input(i));
    const axis = node.options.axis < 0 ? node.options.axis + parts[0]!.rank + 1 : node.options.axis;
    return ctx.tf.stack(parts, axis);
  },
  UNPACK(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.unstack(x, axisOf(node.options.axis, x.rank));
  },
  PAD(_n, ctx) {
    const x = ctx.input(0);
    return ctx.tf.pad(x, paddings(ctx, x.rank));
  },
  PADV2(_n, ctx) {
    const x = ctx.input(0);
    const value = ctx.optionalInput(2);
    return ctx.tf.pad(x, paddings(ctx, x.rank), value ? value.dataSync()[0] : 0);
  },
  MIRROR_PAD(node, ctx) {
    const x = ctx.input(0);
    return ctx.tf.mirrorPad(x, paddings(ctx, x.rank), node.options.mode === 'REFLECT' ? 'reflect' : 'symmetric');
  },
  SLICE(_n, ctx) {
    const x = ctx.input(0);
    return ctx.tf.slice(x, ctx.ints(1), ctx.ints(2));
  },
  STRIDED_SLICE(node, ctx) {
    const o = node.options;
    const x = ctx.input(0);
    const begin = ctx.ints(1);
    let end = ctx.ints(2);
    const strides = node.inputs[3] ? ctx.ints(3) : begin.map(() => 1);
    // offset=true means `end` is relative to `begin`.
    if (o.offset) end = end.map((e, i) => e + begin[i]!);
    if (o.shrinkAxisMask && !o.ellipsisMask && !o.newAxisMask) {
      // tfjs 4.22 misapplies the other axes' strides when shrinkAxisMask is set: slice one
      // element on each shrunk axis without the mask, then drop those axes ourselves.
      const shrunk: number[] = [];
      for (let d = 0; d < begin.length; d++) {
        if (!(o.shrinkAxisMask & (1 << d))) continue;
        const b = begin[d]! < 0 ? begin[d]! + x.shape[d]! : begin[d]!;
        begin[d] = b;
        end[d] = b + 1;
        strides[d] = 1;
        shrunk.push(d);
      }
      const clear = ~o.shrinkAxisMask;
      const sliced = ctx.tf.stridedSlice(x, begin, end, strides, o.beginMask & clear, o.endMask & clear, 0, 0, 0);
      return ctx.tf.squeeze(sliced, shrunk);
    }
    return ctx.tf.stridedSlice(x, begin, end, strides, o.beginMask, o.endMask, o.ellipsisMask, o.newAxisMask, o.shrinkAxisMask);
  },
  SPLIT(node, ctx) {
    // TFLite SPLIT: input 0 is the axis, input 1 the tensor.
    const x = ctx.input(1);
    return ctx.tf.split(x, node.options.numSplits, axisOf(ctx.ints(0)[0] ?? 0, x.rank));
  },
  SPLIT_V(_n, ctx) {
    const x = ctx.input(0);
    return ctx.tf.split(x, ctx.ints(1), axisOf(ctx.ints(2)[0] ?? 0, x.rank));
  },
  GATHER(node, ctx) {
    const x = ctx.input(0);
    const indices = asInt(ctx, ctx.input(1));
    return ctx.tf.gather(x, indices, axisOf(node.options.axis, x.rank), node.options.batchDims ?? 0);
  },
  SHAPE: (_n, ctx) => ctx.tf.tensor1d(ctx.input(0).shape, 'int32'),
  FILL(_n, ctx) {
    const value = ctx.input(1);
    return ctx.tf.fill(ctx.ints(0), value.dataSync()[0]!, value.dtype === 'int32' ? 'int32' : 'float32');
  },
  REVERSE_V2: (_n, ctx) => ctx.tf.reverse(ctx.input(0), ctx.ints(1)),
  CAST(node, ctx) {
    const x = ctx.input(0);
    const out = ctx.outputTensor(0).dtype;
    if (out === 'float32' || out === 'float16') return ctx.tf.cast(x, 'float32');
    if (out === 'bool') return ctx.tf.cast(x, 'bool');
    if (out.startsWith('int') || out === 'uint8') return ctx.tf.cast(x, 'int32') as TfTensorT;
    throw new ExecuteUnsupportedError(`Node '${node.name}': CAST to ${out} is not supported by the interpreter.`);
  },
};
