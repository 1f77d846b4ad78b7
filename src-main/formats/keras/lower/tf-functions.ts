// The vetted table of TF functions a Keras functional model may call (TFOpLambda and
// SlicingOpLambda layers): function name as Keras stores it → its parameters and lowering.
// Anything else is refused with the function's name; nothing runs user code.
import type { OpType } from '../../../graph/ops';
import type { Value } from '../builder';
import type { LowerContext } from './context';
import { emitActivation, softmax } from './activation';
import { broadcastShape, normAxis, TfCall } from './tf-call';
import { lowerGetItem } from './tf-slice';

interface TfFunction {
  /** Parameter names in TF's order; positional arguments map onto them. */
  params: readonly string[];
  lower: (c: TfCall) => Value[];
}

type BinaryOp = 'ADD' | 'SUB' | 'MUL' | 'DIV' | 'MAXIMUM' | 'MINIMUM';

function binary(op: BinaryOp): TfFunction {
  return {
    params: ['x', 'y', 'name'],
    lower: (c) => {
      const x = c.tensor('x');
      const y = c.tensor('y');
      const shape = broadcastShape(c, x.shape, y.shape);
      const name = c.ctx.t(op.toLowerCase());
      const options = op === 'MAXIMUM' || op === 'MINIMUM' ? {} : { fusedActivation: 'NONE' as const };
      return [c.ctx.b.op(op as OpType, name, [x, y], options as never, shape)];
    },
  };
}

function activation(name: string, params: readonly string[] = ['x', 'name']): TfFunction {
  return { params, lower: (c) => [emitActivation(c.ctx, c.tensor(params[0]!), name)] };
}

const silu: TfFunction = {
  params: ['features', 'beta', 'name'],
  lower: (c) => {
    const beta = c.raw('beta');
    if (beta !== undefined && beta !== 1) c.fail(`beta ${JSON.stringify(beta)} is not supported (only 1).`);
    return [emitActivation(c.ctx, c.tensor('features'), 'silu')];
  },
};

function split(c: TfCall): Value[] {
  const x = c.tensor('value');
  const axis = normAxis(c.int('axis', 0), x.shape.length);
  const dim = x.shape[axis]!;
  const spec = c.raw('num_or_size_splits');
  const b = c.ctx.b;
  let sizes: number[];
  if (typeof spec === 'number') {
    if (dim % spec !== 0) c.fail(`axis ${axis} of size ${dim} does not split into ${spec} equal parts.`);
    sizes = new Array<number>(spec).fill(dim / spec);
  } else {
    sizes = c.ints('num_or_size_splits') ?? c.fail('num_or_size_splits is missing.');
    const known = sizes.filter((s) => s !== -1).reduce((a, s) => a + s, 0);
    sizes = sizes.map((s) => (s === -1 ? dim - known : s));
    if (sizes.reduce((a, s) => a + s, 0) !== dim) c.fail(`sizes [${sizes}] do not add up to ${dim}.`);
  }
  const shapes = sizes.map((s) => x.shape.map((d, i) => (i === axis ? s : d)));
  const names = sizes.map((_, i) => c.ctx.t(i === 0 ? 'split' : `split:${i}`));
  const axisValue = b.int32(c.ctx.t('split/axis'), [axis], []);
  if (typeof spec === 'number') return b.opMulti('SPLIT', names, [axisValue, x], { numSplits: sizes.length }, shapes);
  return b.opMulti('SPLIT_V', names, [x, b.int32(c.ctx.t('split/size_splits'), sizes), axisValue], { numSplits: sizes.length }, shapes);
}

function concat(c: TfCall): Value[] {
  const parts = c.tensors('values');
  if (parts.length === 0) c.fail('no values to concatenate.');
  const rank = parts[0]!.shape.length;
  const axis = normAxis(c.int('axis'), rank);
  const shape = [...parts[0]!.shape];
  shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  return [c.ctx.b.op('CONCATENATION', c.ctx.t('concat'), parts, { axis, fusedActivation: 'NONE' }, shape)];
}

function reshapeTo(c: TfCall, x: Value, requested: number[], label: string): Value {
  const total = x.shape.reduce((a, d) => a * d, 1);
  const known = requested.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
  const shape = requested.map((d) => (d === -1 ? total / known : d));
  if (shape.reduce((a, d) => a * d, 1) !== total || shape.some((d) => !Number.isInteger(d))) c.fail(`cannot reshape [${x.shape}] to [${requested}].`);
  const b = c.ctx.b;
  return b.op('RESHAPE', c.ctx.t(label), [x, b.int32(c.ctx.t(`${label}/shape`), shape)], { newShape: shape }, shape, x.dtype);
}

function reshape(c: TfCall): Value[] {
  return [reshapeTo(c, c.tensor('tensor'), c.ints('shape') ?? c.fail('shape is missing.'), 'Reshape')];
}

function transpose(c: TfCall): Value[] {
  const x = c.tensor('a');
  const perm = c.ints('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  if (c.raw('conjugate') === true) c.fail('conjugate=True is not supported.');
  const b = c.ctx.b;
  return [b.op('TRANSPOSE', c.ctx.t('transpose'), [x, b.int32(c.ctx.t('transpose/perm'), perm)], {}, perm.map((p) => x.shape[p]!), x.dtype)];
}

function expandDims(c: TfCall): Value[] {
  const x = c.tensor('input');
  const shape = [...x.shape];
  shape.splice(normAxis(c.int('axis'), x.shape.length + 1), 0, 1);
  return [reshapeTo(c, x, shape, 'ExpandDims')];
}

function squeeze(c: TfCall): Value[] {
  const x = c.tensor('input');
  const axes = (c.ints('axis') ?? []).map((a) => normAxis(a, x.shape.length));
  return [reshapeTo(c, x, x.shape.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1)), 'Squeeze')];
}

function reduce(op: 'MEAN' | 'SUM' | 'REDUCE_MAX' | 'REDUCE_MIN'): TfFunction {
  return {
    params: ['input_tensor', 'axis', 'keepdims', 'name'],
    lower: (c) => {
      const x = c.tensor('input_tensor');
      const axes = (c.ints('axis') ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, x.shape.length));
      const keepDims = c.raw('keepdims') === true;
      const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
      const b = c.ctx.b;
      return [b.op(op, c.ctx.t(op.toLowerCase()), [x, b.int32(c.ctx.t('axes'), axes)], { keepDims }, shape)];
    },
  };
}

export const TF_FUNCTIONS: Readonly<Record<string, TfFunction>> = Object.freeze({
  '__operators__.add': binary('ADD'),
  'math.add': binary('ADD'),
  'math.subtract': binary('SUB'),
  'math.multiply': binary('MUL'),
  'math.truediv': binary('DIV'),
  'math.divide': binary('DIV'),
  'math.maximum': binary('MAXIMUM'),
  'math.minimum': binary('MINIMUM'),
  'math.sigmoid': activation('sigmoid'),
  'nn.sigmoid': activation('sigmoid'),
  'math.tanh': activation('tanh'),
  'math.exp': activation('exponential'),
  'nn.relu': activation('relu', ['features', 'name']),
  'nn.relu6': activation('relu6', ['features', 'name']),
  'nn.silu': silu,
  'nn.swish': silu,
  'nn.softmax': { params: ['logits', 'axis', 'name'], lower: (c) => [softmax(c.ctx, c.tensor('logits'), c.int('axis', -1))] },
  split: { params: ['value', 'num_or_size_splits', 'axis', 'num', 'name'], lower: split },
  concat: { params: ['values', 'axis', 'name'], lower: concat },
  reshape: { params: ['tensor', 'shape', 'name'], lower: reshape },
  transpose: { params: ['a', 'perm', 'conjugate', 'name'], lower: transpose },
  expand_dims: { params: ['input', 'axis', 'name'], lower: expandDims },
  squeeze: { params: ['input', 'axis', 'name'], lower: squeeze },
  'math.reduce_mean': reduce('MEAN'),
  'math.reduce_sum': reduce('SUM'),
  'math.reduce_max': reduce('REDUCE_MAX'),
  'math.reduce_min': reduce('REDUCE_MIN'),
  '__operators__.getitem': { params: ['tensor', 'slice_spec'], lower: lowerGetItem },
});

/** TFOpLambda / SlicingOpLambda: looks the function up in the table and lowers the call. */
export function lowerTfOpLambda(ctx: LowerContext, inputs: Value[]): Value[] {
  const fn = ctx.str('function', '');
  const entry = TF_FUNCTIONS[fn];
  if (!entry) {
    return ctx.fail(`TF function 'tf.${fn}' is not in the supported list (${Object.keys(TF_FUNCTIONS).map((k) => `tf.${k}`).join(', ')}); rebuild the model with supported functions or Keras layers.`);
  }
  const args = ctx.call.opArgs;
  if (!args) return ctx.fail(`the call of 'tf.${fn}' has no arguments in the config.`);
  return entry.lower(new TfCall(ctx, `tf.${fn}`, inputs, args, entry.params));
}
