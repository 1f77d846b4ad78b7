// Convolutions: Conv1D/Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose.
// Keras kernels are HWIO; TFLite wants OHWI (conv), 1HW(I*M) (depthwise), OHWI (transpose).
import type { Padding } from '../../../graph/ops';
import type { Value } from '../builder';
import { emitActivation } from './activation';
import type { LowerContext } from './context';

export function convOutSize(input: number, kernel: number, stride: number, dilation: number, padding: Padding): number {
  if (padding === 'SAME') return Math.ceil(input / stride);
  return Math.floor((input - (kernel - 1) * dilation - 1) / stride) + 1;
}

function padding(ctx: LowerContext): Padding {
  const p = ctx.str('padding', 'valid').toLowerCase();
  if (p === 'same') return 'SAME';
  if (p === 'valid') return 'VALID';
  return ctx.fail(`padding '${p}' is not supported.`);
}

function checkChannelsLast(ctx: LowerContext): void {
  const format = ctx.str('data_format', 'channels_last');
  if (format !== 'channels_last') ctx.fail(`data_format '${format}' is not supported (only channels_last).`);
}

/** HWIO → OHWI. */
export function hwioToOhwi(w: Float32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * kh + h) * kw + x) * ci + i] = w[((h * kw + x) * ci + i) * co + o]!;
  return out;
}

function conv2dCore(
  ctx: LowerContext,
  x: Value,
  kernelHwio: Float32Array,
  kh: number,
  kw: number,
  filters: number,
  stride: [number, number],
  dilation: [number, number],
  pad: Padding,
  useBias: boolean,
  biasIndex = 1,
): Value {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const weights = ctx.b.constant(ctx.t('Conv2D'), [filters, kh, kw, c], hwioToOhwi(kernelHwio, kh, kw, c, filters));
  const biasData = useBias ? ctx.weight(['bias'], biasIndex, [filters], 'zeros') : new Float32Array(filters);
  const b = ctx.b.constant(ctx.t('BiasAdd/ReadVariableOp/resource'), [filters], biasData);
  const oh = convOutSize(h, kh, stride[0], dilation[0], pad);
  const ow = convOutSize(w, kw, stride[1], dilation[1], pad);
  return ctx.b.op(
    'CONV_2D',
    ctx.t('BiasAdd'),
    [x, weights, b],
    { padding: pad, strideH: stride[0], strideW: stride[1], dilationH: dilation[0], dilationW: dilation[1], fusedActivation: 'NONE' },
    [n, oh, ow, filters],
  );
}

export function lowerConv2D(ctx: LowerContext, inputs: Value[]): Value[] {
  checkChannelsLast(ctx);
  const x = ctx.input(inputs);
  if (x.shape.length !== 4) ctx.fail(`expects a 4-D input, got [${x.shape.join(', ')}].`);
  if (ctx.num('groups', 1) !== 1) ctx.fail('grouped convolution (groups > 1) is not supported.');
  const [kh, kw] = ctx.pair('kernel_size', [1, 1]);
  const filters = ctx.num('filters');
  const c = x.shape[3]!;
  const kernel = ctx.weight(['kernel'], 0, [kh, kw, c, filters]);
  const y = conv2dCore(ctx, x, kernel, kh, kw, filters, ctx.pair('strides', [1, 1]), ctx.pair('dilation_rate', [1, 1]), padding(ctx), ctx.bool('use_bias', true));
  return [emitActivation(ctx, y, ctx.activation())];
}

export function lowerConv1D(ctx: LowerContext, inputs: Value[]): Value[] {
  checkChannelsLast(ctx);
  const x = ctx.input(inputs);
  if (x.shape.length !== 3) ctx.fail(`expects a 3-D input, got [${x.shape.join(', ')}].`);
  if (ctx.num('groups', 1) !== 1) ctx.fail('grouped convolution (groups > 1) is not supported.');
  const [n, len, c] = x.shape as [number, number, number];
  const k = ctx.ints('kernel_size')?.[0] ?? 1;
  const stride = ctx.ints('strides')?.[0] ?? 1;
  const dilation = ctx.ints('dilation_rate')?.[0] ?? 1;
  const filters = ctx.num('filters');
  const kernel = ctx.weight(['kernel'], 0, [k, c, filters]);
  let input = x;
  let pad: Padding;
  const p = ctx.str('padding', 'valid').toLowerCase();
  if (p === 'causal') {
    const left = (k - 1) * dilation;
    const paddings = ctx.b.int32(ctx.t('Pad/paddings'), [0, 0, left, 0, 0, 0], [3, 2]);
    input = ctx.b.op('PAD', ctx.t('Pad'), [x, paddings], {}, [n, len + left, c]);
    pad = 'VALID';
  } else {
    pad = padding(ctx);
  }
  // As TF does: conv1d = expand to [N, 1, L, C], conv2d with a 1xK kernel, squeeze back.
  const expanded = ctx.b.op('RESHAPE', ctx.t('Conv1D/ExpandDims'), [input, ctx.b.int32(ctx.t('Conv1D/ExpandDims/shape'), [n, 1, input.shape[1]!, c])], { newShape: [n, 1, input.shape[1]!, c] }, [n, 1, input.shape[1]!, c]);
  const conv = conv2dCore(ctx, expanded, kernel, 1, k, filters, [1, stride], [1, dilation], pad, ctx.bool('use_bias', true));
  // Activation before the squeeze, so that the fusion pass can fold it into the conv.
  const y4 = emitActivation(ctx, conv, ctx.activation());
  const outLen = y4.shape[2]!;
  return [ctx.b.op('RESHAPE', ctx.t('Conv1D/Squeeze'), [y4, ctx.b.int32(ctx.t('Conv1D/Squeeze/shape'), [n, outLen, filters])], { newShape: [n, outLen, filters] }, [n, outLen, filters])];
}

function depthwiseCore(ctx: LowerContext, x: Value, kernel: Float32Array, kh: number, kw: number, mult: number, stride: [number, number], dilation: [number, number], pad: Padding, biasData: Float32Array): Value {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  // Keras [kh, kw, C, M] has the same memory order as TFLite [1, kh, kw, C*M].
  const weights = ctx.b.constant(ctx.t('depthwise'), [1, kh, kw, c * mult], kernel);
  const b = ctx.b.constant(ctx.t('BiasAdd/ReadVariableOp/resource'), [c * mult], biasData);
  return ctx.b.op(
    'DEPTHWISE_CONV_2D',
    ctx.t('BiasAdd'),
    [x, weights, b],
    { padding: pad, strideH: stride[0], strideW: stride[1], dilationH: dilation[0], dilationW: dilation[1], depthMultiplier: mult, fusedActivation: 'NONE' },
    [n, convOutSize(h, kh, stride[0], dilation[0], pad), convOutSize(w, kw, stride[1], dilation[1], pad), c * mult],
  );
}

export function lowerDepthwiseConv2D(ctx: LowerContext, inputs: Value[]): Value[] {
  checkChannelsLast(ctx);
  const x = ctx.input(inputs);
  if (x.shape.length !== 4) ctx.fail(`expects a 4-D input, got [${x.shape.join(', ')}].`);
  const [kh, kw] = ctx.pair('kernel_size', [1, 1]);
  const mult = ctx.num('depth_multiplier', 1);
  const c = x.shape[3]!;
  const kernel = ctx.weight(['depthwise_kernel', 'kernel'], 0, [kh, kw, c, mult]);
  const biasData = ctx.bool('use_bias', true) ? ctx.weight(['bias'], 1, [c * mult], 'zeros') : new Float32Array(c * mult);
  const y = depthwiseCore(ctx, x, kernel, kh, kw, mult, ctx.pair('strides', [1, 1]), ctx.pair('dilation_rate', [1, 1]), padding(ctx), biasData);
  return [emitActivation(ctx, y, ctx.activation())];
}

export function lowerSeparableConv2D(ctx: LowerContext, inputs: Value[]): Value[] {
  checkChannelsLast(ctx);
  const x = ctx.input(inputs);
  if (x.shape.length !== 4) ctx.fail(`expects a 4-D input, got [${x.shape.join(', ')}].`);
  const [kh, kw] = ctx.pair('kernel_size', [1, 1]);
  const mult = ctx.num('depth_multiplier', 1);
  const filters = ctx.num('filters');
  const c = x.shape[3]!;
  const dw = ctx.weight(['depthwise_kernel'], 0, [kh, kw, c, mult]);
  const pw = ctx.weight(['pointwise_kernel'], 1, [1, 1, c * mult, filters]);
  const mid = depthwiseCore(ctx, x, dw, kh, kw, mult, ctx.pair('strides', [1, 1]), ctx.pair('dilation_rate', [1, 1]), padding(ctx), new Float32Array(c * mult));
  const y = conv2dCore(ctx, mid, pw, 1, 1, filters, [1, 1], [1, 1], 'VALID', ctx.bool('use_bias', true), 2);
  return [emitActivation(ctx, y, ctx.activation())];
}

export function lowerConv2DTranspose(ctx: LowerContext, inputs: Value[]): Value[] {
  checkChannelsLast(ctx);
  const x = ctx.input(inputs);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw] = ctx.pair('kernel_size', [1, 1]);
  const [sh, sw] = ctx.pair('strides', [1, 1]);
  const [dh, dw] = ctx.pair('dilation_rate', [1, 1]);
  if (dh !== 1 || dw !== 1) ctx.fail('dilated Conv2DTranspose is not supported.');
  if (ctx.call.config['output_padding']) ctx.fail('Conv2DTranspose output_padding is not supported.');
  const filters = ctx.num('filters');
  const pad = padding(ctx);
  // Keras transpose kernel is [kh, kw, out, in]; TFLite TRANSPOSE_CONV wants [out, kh, kw, in].
  const k = ctx.weight(['kernel'], 0, [kh, kw, filters, c]);
  const ohwi = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x2 = 0; x2 < kw; x2++)
      for (let o = 0; o < filters; o++)
        for (let i = 0; i < c; i++) ohwi[((o * kh + y) * kw + x2) * c + i] = k[((y * kw + x2) * filters + o) * c + i]!;
  const oh = pad === 'SAME' ? h * sh : h * sh + Math.max(kh - sh, 0);
  const ow = pad === 'SAME' ? w * sw : w * sw + Math.max(kw - sw, 0);
  const outShape = ctx.b.int32(ctx.t('conv2d_transpose/output_shape'), [n, oh, ow, filters]);
  const weights = ctx.b.constant(ctx.t('conv2d_transpose'), [filters, kh, kw, c], ohwi);
  const biasData = ctx.bool('use_bias', true) ? ctx.weight(['bias'], 1, [filters], 'zeros') : new Float32Array(filters);
  const bias = ctx.b.constant(ctx.t('BiasAdd/ReadVariableOp/resource'), [filters], biasData);
  const y = ctx.b.op('TRANSPOSE_CONV', ctx.t('BiasAdd'), [outShape, weights, x, bias], { padding: pad, strideH: sh, strideW: sw, fusedActivation: 'NONE' }, [n, oh, ow, filters]);
  return [emitActivation(ctx, y, ctx.activation())];
}

