// Pooling: Max/Average 1D/2D (1D through a reshape to 2D, as TF does) and global pooling
// (MEAN / REDUCE_MAX over the spatial axes, keepdims as configured).
import type { Padding } from '../../../graph/ops';
import type { Value } from '../builder';
import type { LowerContext } from './context';
import { convOutSize } from './conv';

function pad(ctx: LowerContext): Padding {
  const p = ctx.str('padding', 'valid').toLowerCase();
  return p === 'same' ? 'SAME' : p === 'valid' ? 'VALID' : ctx.fail(`padding '${p}' is not supported.`);
}

function pool2d(ctx: LowerContext, x: Value, kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D', k: [number, number], s: [number, number], p: Padding): Value {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const label = kind === 'MAX_POOL_2D' ? 'MaxPool' : 'AvgPool';
  return ctx.b.op(
    kind,
    ctx.t(label),
    [x],
    { padding: p, strideH: s[0], strideW: s[1], filterH: k[0], filterW: k[1], fusedActivation: 'NONE' },
    [n, convOutSize(h, k[0], s[0], 1, p), convOutSize(w, k[1], s[1], 1, p), c],
  );
}

export function lowerPool2D(kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D') {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    const x = ctx.input(inputs);
    if (ctx.str('data_format', 'channels_last') !== 'channels_last') ctx.fail('only channels_last pooling is supported.');
    const k = ctx.pair('pool_size', [2, 2]);
    const strides = ctx.call.config['strides'] === null || ctx.call.config['strides'] === undefined ? k : ctx.pair('strides', k);
    return [pool2d(ctx, x, kind, k, strides, pad(ctx))];
  };
}

export function lowerPool1D(kind: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D') {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    const x = ctx.input(inputs);
    const [n, len, c] = x.shape as [number, number, number];
    const k = ctx.ints('pool_size')?.[0] ?? 2;
    const strides = ctx.ints('strides')?.[0] ?? k;
    const b = ctx.b;
    const x4 = b.op('RESHAPE', ctx.t('ExpandDims'), [x, b.int32(ctx.t('ExpandDims/shape'), [n, 1, len, c])], { newShape: [n, 1, len, c] }, [n, 1, len, c]);
    const y4 = pool2d(ctx, x4, kind, [1, k], [1, strides], pad(ctx));
    const outShape = [n, y4.shape[2]!, c];
    return [b.op('RESHAPE', ctx.t('Squeeze'), [y4, b.int32(ctx.t('Squeeze/shape'), outShape)], { newShape: outShape }, outShape)];
  };
}

export function lowerGlobalPool(kind: 'MEAN' | 'REDUCE_MAX', spatialDims: 1 | 2) {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    const x = ctx.input(inputs);
    if (ctx.str('data_format', 'channels_last') !== 'channels_last') ctx.fail('only channels_last pooling is supported.');
    const keep = ctx.bool('keepdims', false);
    const axes = spatialDims === 2 ? [1, 2] : [1];
    const out = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const label = kind === 'MEAN' ? 'Mean' : 'Max';
    const axesValue = ctx.b.int32(ctx.t(`${label}/reduction_indices`), axes);
    return [ctx.b.op(kind, ctx.t(label), [x, axesValue], { keepDims: keep }, out)];
  };
}
