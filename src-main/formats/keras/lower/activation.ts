// Activations: the Activation layer, activation= arguments of other layers, and the
// advanced activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax). Fusable ones
// (relu, relu6) become separate ops here; the fusion pass folds them into producers.
import type { Value } from '../builder';
import type { LowerContext } from './context';

export function emitActivation(ctx: LowerContext, x: Value, activation: string, label = 'Activation'): Value {
  const b = ctx.b;
  const s = x.shape;
  switch (activation) {
    case 'linear':
    case 'identity':
      return x;
    case 'relu':
      return b.op('RELU', ctx.t('Relu'), [x], {}, s);
    case 'relu6':
      return b.op('RELU6', ctx.t('Relu6'), [x], {}, s);
    case 'sigmoid':
      return b.op('LOGISTIC', ctx.t('Sigmoid'), [x], {}, s);
    case 'tanh':
      return b.op('TANH', ctx.t('Tanh'), [x], {}, s);
    case 'softmax':
      return softmax(ctx, x, -1);
    case 'log_softmax':
      return b.op('LOG_SOFTMAX', ctx.t('LogSoftmax'), [x], {}, s);
    case 'swish':
    case 'silu': {
      const sig = b.op('LOGISTIC', ctx.t('Sigmoid'), [x], {}, s);
      return b.op('MUL', ctx.t('mul'), [x, sig], { fusedActivation: 'NONE' }, s);
    }
    case 'hard_swish':
      return b.op('HARD_SWISH', ctx.t('HardSwish'), [x], {}, s);
    case 'hard_sigmoid': {
      // Keras 2: clip(0.2x + 0.5, 0, 1); Keras 3: clip(x/6 + 0.5, 0, 1). Config can't tell; the
      // Keras 3 module field can, so the caller passes 'hard_sigmoid_k3' for Keras 3.
      return hardSigmoid(ctx, x, 0.2);
    }
    case 'hard_sigmoid_k3':
      return hardSigmoid(ctx, x, 1 / 6);
    case 'elu':
      return b.op('ELU', ctx.t('Elu'), [x], {}, s);
    case 'selu':
      return selu(ctx, x);
    case 'gelu':
      return b.op('GELU', ctx.t('Gelu'), [x], { approximate: false }, s);
    case 'softplus': {
      const e = b.op('EXP', ctx.t('Exp'), [x], {}, s);
      const one = b.scalar(ctx.t('one'), 1);
      const p = b.op('ADD', ctx.t('add'), [e, one], { fusedActivation: 'NONE' }, s);
      return b.op('LOG', ctx.t('Softplus'), [p], {}, s);
    }
    case 'exponential':
      return b.op('EXP', ctx.t('Exp'), [x], {}, s);
    default:
      return ctx.fail(`activation '${activation}' is not supported (${label}).`);
  }
}

export function softmax(ctx: LowerContext, x: Value, axis: number): Value {
  const rank = x.shape.length;
  const a = axis < 0 ? rank + axis : axis;
  if (a !== rank - 1) ctx.fail(`Softmax over axis ${axis} (not the last axis) is not supported.`);
  return ctx.b.op('SOFTMAX', ctx.t('Softmax'), [x], { beta: 1 }, x.shape);
}

function hardSigmoid(ctx: LowerContext, x: Value, slope: number): Value {
  const b = ctx.b;
  const s = x.shape;
  const m = b.op('MUL', ctx.t('mul'), [x, b.scalar(ctx.t('slope'), slope)], { fusedActivation: 'NONE' }, s);
  const a = b.op('ADD', ctx.t('add'), [m, b.scalar(ctx.t('offset'), 0.5)], { fusedActivation: 'RELU' }, s);
  return b.op('MINIMUM', ctx.t('HardSigmoid'), [a, b.scalar(ctx.t('one'), 1)], {}, s);
}

function selu(ctx: LowerContext, x: Value): Value {
  const alpha = 1.6732632423543772;
  const scale = 1.0507009873554805;
  const b = ctx.b;
  const s = x.shape;
  // selu(x) = scale * (relu(x) + alpha * min(elu(x), 0))
  const pos = b.op('RELU', ctx.t('Relu'), [x], {}, s);
  const elu = b.op('ELU', ctx.t('Elu'), [x], {}, s);
  const neg = b.op('MINIMUM', ctx.t('Minimum'), [elu, b.scalar(ctx.t('zero'), 0)], {}, s);
  const scaledNeg = b.op('MUL', ctx.t('mul'), [neg, b.scalar(ctx.t('alpha'), alpha)], { fusedActivation: 'NONE' }, s);
  const sum = b.op('ADD', ctx.t('add'), [pos, scaledNeg], { fusedActivation: 'NONE' }, s);
  return b.op('MUL', ctx.t('Selu'), [sum, b.scalar(ctx.t('scale'), scale)], { fusedActivation: 'NONE' }, s);
}

export function lowerActivation(ctx: LowerContext, inputs: Value[]): Value[] {
  let act = ctx.activation();
  if (act === 'hard_sigmoid' && ctx.call.config['__keras3'] === true) act = 'hard_sigmoid_k3';
  return [emitActivation(ctx, ctx.input(inputs), act)];
}

export function lowerReLU(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const b = ctx.b;
  const maxValue = ctx.call.config['max_value'];
  const slope = ctx.num('negative_slope', 0);
  const threshold = ctx.num('threshold', 0);
  if (threshold !== 0) ctx.fail(`ReLU threshold ${threshold} is not supported.`);
  if (slope !== 0) {
    if (maxValue !== null && maxValue !== undefined) ctx.fail('ReLU with both negative_slope and max_value is not supported.');
    return [b.op('LEAKY_RELU', ctx.t('LeakyRelu'), [x], { alpha: slope }, x.shape)];
  }
  if (maxValue === null || maxValue === undefined) return [b.op('RELU', ctx.t('Relu'), [x], {}, x.shape)];
  const max = Number(maxValue);
  if (max === 6) return [b.op('RELU6', ctx.t('Relu6'), [x], {}, x.shape)];
  const r = b.op('RELU', ctx.t('Relu'), [x], {}, x.shape);
  return [b.op('MINIMUM', ctx.t('clip'), [r, b.scalar(ctx.t('max_value'), max)], {}, x.shape)];
}

export function lowerLeakyReLU(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const alpha = ctx.num('negative_slope', ctx.num('alpha', 0.3));
  return [ctx.b.op('LEAKY_RELU', ctx.t('LeakyRelu'), [x], { alpha }, x.shape)];
}

export function lowerELU(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const alpha = ctx.num('alpha', 1);
  if (alpha === 1) return [ctx.b.op('ELU', ctx.t('Elu'), [x], {}, x.shape)];
  // alpha * (exp(x) - 1) for x < 0: relu(x) + alpha * min(elu(x), 0)
  const b = ctx.b;
  const s = x.shape;
  const pos = b.op('RELU', ctx.t('Relu'), [x], {}, s);
  const elu = b.op('ELU', ctx.t('Elu'), [x], {}, s);
  const neg = b.op('MINIMUM', ctx.t('Minimum'), [elu, b.scalar(ctx.t('zero'), 0)], {}, s);
  const scaled = b.op('MUL', ctx.t('mul'), [neg, b.scalar(ctx.t('alpha'), alpha)], { fusedActivation: 'NONE' }, s);
  return [b.op('ADD', ctx.t('add'), [pos, scaled], { fusedActivation: 'NONE' }, s)];
}

export function lowerPReLU(ctx: LowerContext, inputs: Value[]): Value[] {
  const x = ctx.input(inputs);
  const shared = ctx.ints('shared_axes') ?? [];
  const alphaShape = x.shape.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
  const alpha = ctx.weight(['alpha'], 0, alphaShape, 'small');
  const a = ctx.b.constant(ctx.t('alpha'), alphaShape, alpha);
  return [ctx.b.op('PRELU', ctx.t('Prelu'), [x, a], {}, x.shape)];
}

export function lowerSoftmax(ctx: LowerContext, inputs: Value[]): Value[] {
  const axis = ctx.ints('axis')?.[0] ?? -1;
  return [softmax(ctx, ctx.input(inputs), axis)];
}
