// Normalisation layers. BatchNormalization becomes MUL + ADD with per-channel constants
// (the fold pass merges them into the producing conv/dense); LayerNormalization is
// decomposed as the converter does; Rescaling and Normalization become MUL + ADD.
import type { Value } from '../builder';
import type { LowerContext } from './context';

function channelAxis(ctx: LowerContext, x: Value, key = 'axis'): number {
  const raw = ctx.call.config[key];
  const axis = Array.isArray(raw) ? Number(raw[0]) : typeof raw === 'number' ? raw : -1;
  const rank = x.shape.length;
  return axis < 0 ? rank + axis : axis;
}

/** x * scale + shift with per-channel (last axis) constants. */
export function scaleShift(ctx: LowerContext, x: Value, scale: Float32Array, shift: Float32Array, label: string): Value {
  const c = scale.length;
  const s = ctx.b.constant(ctx.t(`${label}/mul`), [c], scale);
  const t = ctx.b.constant(ctx.t(`${label}/add`), [c], shift);
  const m = ctx.b.op('MUL', ctx.t(`${label}/mul_1`), [x, s], { fusedActivation: 'NONE' }, x.shape);
  return ctx.b.op('ADD', ctx.t(label), [m, t], { fusedActivation: 'NONE' }, x.shape);
}

export function lowerBatchNormalization(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const axis = channelAxis(ctx, x);
  if (axis !== x.shape.length - 1) ctx.fail(`BatchNormalization over axis ${axis} (not the channel axis) is not supported.`);
  const c = x.shape[axis]!;
  const eps = ctx.num('epsilon', 1e-3);
  const useScale = ctx.bool('scale', true);
  const useCenter = ctx.bool('center', true);
  let i = 0;
  const gamma = useScale ? ctx.weight(['gamma'], i++, [c], 'ones') : new Float32Array(c).fill(1);
  const beta = useCenter ? ctx.weight(['beta'], i++, [c], 'zeros') : new Float32Array(c);
  const mean = ctx.weight(['moving_mean'], i++, [c], 'zeros');
  const variance = ctx.weight(['moving_variance'], i++, [c], 'ones');
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = gamma[k]! / Math.sqrt(variance[k]! + eps);
    shift[k] = beta[k]! - mean[k]! * scale[k]!;
  }
  return [scaleShift(ctx, x, scale, shift, 'FusedBatchNormV3')];
}

export function lowerLayerNormalization(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const axis = channelAxis(ctx, x);
  if (axis !== x.shape.length - 1) ctx.fail('LayerNormalization over axes other than the last is not supported.');
  const c = x.shape[axis]!;
  const eps = ctx.num('epsilon', 1e-3);
  const b = ctx.b;
  const s = x.shape;
  const reduced = [...s.slice(0, -1), 1];
  const axes = b.int32(ctx.t('moments/mean/reduction_indices'), [axis]);
  const mean = b.op('MEAN', ctx.t('moments/mean'), [x, axes], { keepDims: true }, reduced);
  const sq = b.op('SQUARED_DIFFERENCE', ctx.t('moments/SquaredDifference'), [x, mean], {}, s);
  const variance = b.op('MEAN', ctx.t('moments/variance'), [sq, axes], { keepDims: true }, reduced);
  const ve = b.op('ADD', ctx.t('batchnorm/add'), [variance, b.scalar(ctx.t('batchnorm/add/y'), eps)], { fusedActivation: 'NONE' }, reduced);
  const inv = b.op('RSQRT', ctx.t('batchnorm/Rsqrt'), [ve], {}, reduced);
  let scaled = inv;
  if (ctx.bool('scale', true)) {
    const gamma = b.constant(ctx.t('batchnorm/mul/ReadVariableOp'), [c], ctx.weight(['gamma'], 0, [c], 'ones'));
    scaled = b.op('MUL', ctx.t('batchnorm/mul'), [inv, gamma], { fusedActivation: 'NONE' }, s);
  }
  const xs = b.op('MUL', ctx.t('batchnorm/mul_1'), [x, scaled], { fusedActivation: 'NONE' }, s);
  const ms = b.op('MUL', ctx.t('batchnorm/mul_2'), [mean, scaled], { fusedActivation: 'NONE' }, s);
  let y = b.op('SUB', ctx.t('batchnorm/sub'), [xs, ms], { fusedActivation: 'NONE' }, s);
  if (ctx.bool('center', true)) {
    const beta = b.constant(ctx.t('batchnorm/ReadVariableOp'), [c], ctx.weight(['beta'], ctx.bool('scale', true) ? 1 : 0, [c], 'zeros'));
    y = b.op('ADD', ctx.t('batchnorm/add_1'), [y, beta], { fusedActivation: 'NONE' }, s);
  }
  return [y];
}

export function lowerRescaling(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const raw = (k: string, d: number): number[] => {
    const v = ctx.call.config[k];
    if (typeof v === 'number') return [v];
    if (Array.isArray(v)) return v.map(Number);
    return [d];
  };
  const scale = raw('scale', 1);
  const offset = raw('offset', 0);
  const b = ctx.b;
  const m = b.op('MUL', ctx.t('mul'), [x, b.constant(ctx.t('Cast'), scale.length > 1 ? [scale.length] : [], Float32Array.from(scale))], { fusedActivation: 'NONE' }, x.shape);
  if (offset.every((o) => o === 0)) return [m];
  return [b.op('ADD', ctx.t('add'), [m, b.constant(ctx.t('Cast_1'), offset.length > 1 ? [offset.length] : [], Float32Array.from(offset))], { fusedActivation: 'NONE' }, x.shape)];
}

export function lowerNormalization(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const axis = channelAxis(ctx, x);
  if (axis !== x.shape.length - 1) ctx.fail('Normalization over axes other than the last is not supported.');
  const c = x.shape[axis]!;
  const cfgMean = ctx.call.config['mean'];
  const cfgVar = ctx.call.config['variance'];
  const mean = Array.isArray(cfgMean) ? Float32Array.from(cfgMean.flat(4) as number[]) : ctx.weight(['mean'], 0, [c], 'zeros');
  const variance = Array.isArray(cfgVar) ? Float32Array.from(cfgVar.flat(4) as number[]) : ctx.weight(['variance'], 1, [c], 'ones');
  const invert = ctx.bool('invert', false);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const m = mean[mean.length === 1 ? 0 : k]!;
    const sd = Math.sqrt(Math.max(variance[variance.length === 1 ? 0 : k]!, 1e-7));
    scale[k] = invert ? sd : 1 / sd;
    shift[k] = invert ? m : -m / sd;
  }
  return [scaleShift(ctx, x, scale, shift, 'normalization')];
}
