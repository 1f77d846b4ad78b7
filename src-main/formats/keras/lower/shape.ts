// Layout layers: Flatten, Reshape, Permute, ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D,
// RepeatVector, and the layers that vanish at inference (Dropout family, noise).
import type { Value } from '../builder';
import type { LowerContext } from './context';

export function reshape(ctx: LowerContext, x: Value, shape: number[], label = 'Reshape'): Value {
  const b = ctx.b;
  return b.op('RESHAPE', ctx.t(label), [x, b.int32(ctx.t(`${label}/shape`), shape)], { newShape: shape }, shape);
}

export function identity(_ctx: LowerContext, inputs: Value[]): Value[] {
  return inputs.slice(0, 1);
}

export function lowerFlatten(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  if (x.shape.length === 2) return [x];
  const n = x.shape.slice(1).reduce((a, d) => a * d, 1);
  return [reshape(ctx, x, [x.shape[0]!, n])];
}

export function lowerReshape(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const target = ctx.ints('target_shape');
  if (!target) ctx.fail('target_shape is missing.');
  const total = x.shape.slice(1).reduce((a, d) => a * d, 1);
  const known = target.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  const resolved = target.map((d) => (d === -1 ? total / known : d));
  if (resolved.reduce((a, d) => a * d, 1) !== total) ctx.fail(`cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}].`);
  return [reshape(ctx, x, [x.shape[0]!, ...resolved])];
}

export function lowerPermute(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const dims = ctx.ints('dims') ?? [];
  const perm = [0, ...dims];
  const b = ctx.b;
  return [b.op('TRANSPOSE', ctx.t('transpose'), [x, b.int32(ctx.t('transpose/perm'), perm)], {}, perm.map((p) => x.shape[p]!))];
}

/** Reads ((top, bottom), (left, right)) in any of Keras's spellings for `rank` spatial dims. */
function spatialPairs(ctx: LowerContext, key: string, rank: 1 | 2): [number, number][] {
  const v = ctx.call.config[key];
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v] as [number, number]);
  if (Array.isArray(v)) {
    if (rank === 1) {
      if (v.length === 2 && typeof v[0] === 'number') return [[Number(v[0]), Number(v[1])]];
    } else if (v.length === 2) {
      return v.map((p): [number, number] => (Array.isArray(p) ? [Number(p[0]), Number(p[1])] : [Number(p), Number(p)]));
    }
  }
  return ctx.fail(`cannot read '${key}'.`);
}

export function lowerZeroPadding(rank: 1 | 2) {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    const x = ctx.input(inputs);
    const pairs = spatialPairs(ctx, 'padding', rank);
    const all: [number, number][] = [[0, 0], ...pairs, [0, 0]];
    const out = x.shape.map((d, i) => d + all[i]![0] + all[i]![1]);
    const b = ctx.b;
    return [b.op('PAD', ctx.t('Pad'), [x, b.int32(ctx.t('Pad/paddings'), all.flat(), [all.length, 2])], {}, out)];
  };
}

export function lowerCropping(rank: 1 | 2) {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    const x = ctx.input(inputs);
    const pairs = spatialPairs(ctx, 'cropping', rank);
    const all: [number, number][] = [[0, 0], ...pairs, [0, 0]];
    const begin = all.map((p) => p[0]);
    const size = x.shape.map((d, i) => d - all[i]![0] - all[i]![1]);
    const b = ctx.b;
    return [b.op('SLICE', ctx.t('strided_slice'), [x, b.int32(ctx.t('strided_slice/begin'), begin), b.int32(ctx.t('strided_slice/size'), size)], {}, size)];
  };
}

export function lowerUpSampling2D(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [sh, sw] = ctx.pair('size', [2, 2]);
  const interpolation = ctx.str('interpolation', 'nearest');
  const b = ctx.b;
  const size = b.int32(ctx.t('resize/size'), [h * sh, w * sw]);
  const out = [n, h * sh, w * sw, c];
  if (interpolation === 'nearest') {
    return [b.op('RESIZE_NEAREST_NEIGHBOR', ctx.t('resize/ResizeNearestNeighbor'), [x, size], { alignCorners: false, halfPixelCenters: false }, out)];
  }
  if (interpolation === 'bilinear') {
    // Keras (TF 2) resizes with half-pixel centers; TF.js layers' UpSampling2D does not.
    const halfPixelCenters = ctx.call.config['__tfjs'] !== true;
    return [b.op('RESIZE_BILINEAR', ctx.t('resize/ResizeBilinear'), [x, size], { alignCorners: false, halfPixelCenters }, out)];
  }
  return ctx.fail(`UpSampling2D interpolation '${interpolation}' is not supported.`);
}

export function lowerUpSampling1D(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const [n, len, c] = x.shape as [number, number, number];
  const size = ctx.num('size', 2);
  const x4 = reshape(ctx, x, [n, len, 1, c], 'ExpandDims');
  const b = ctx.b;
  const up = b.op('RESIZE_NEAREST_NEIGHBOR', ctx.t('resize'), [x4, b.int32(ctx.t('resize/size'), [len * size, 1])], { alignCorners: false, halfPixelCenters: false }, [n, len * size, 1, c]);
  return [reshape(ctx, up, [n, len * size, c], 'Squeeze')];
}

export function lowerRepeatVector(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  if (x.shape.length !== 2) ctx.fail(`expects a 2-D input, got [${x.shape.join(', ')}].`);
  const [n, d] = x.shape as [number, number];
  const times = ctx.num('n');
  const row = reshape(ctx, x, [n, 1, d], 'ExpandDims');
  const copies = Array.from({ length: times }, () => row);
  return [ctx.b.op('CONCATENATION', ctx.t('Tile'), copies, { axis: 1, fusedActivation: 'NONE' }, [n, times, d])];
}
