// Element-wise TF ops: binary arithmetic with broadcasting and the activation functions.
import type { OpType } from '../../../graph/ops';
import { UnsupportedError } from '../../../errors';
import { attrFloat, dataInputs, type TfNode } from '../tf-node';
import { broadcastShapes, type LowerContext, type Value } from './context';

const BINARY: Record<string, OpType> = {
  Add: 'ADD',
  AddV2: 'ADD',
  BiasAdd: 'ADD',
  Sub: 'SUB',
  Mul: 'MUL',
  RealDiv: 'DIV',
  Div: 'DIV',
  Maximum: 'MAXIMUM',
  Minimum: 'MINIMUM',
  SquaredDifference: 'SQUARED_DIFFERENCE',
  Pow: 'POW',
  FloorDiv: 'FLOOR_DIV',
  FloorMod: 'FLOOR_MOD',
};

const UNARY: Record<string, OpType> = {
  Relu: 'RELU',
  Relu6: 'RELU6',
  Sigmoid: 'LOGISTIC',
  Tanh: 'TANH',
  Elu: 'ELU',
  Exp: 'EXP',
  Log: 'LOG',
  Sqrt: 'SQRT',
  Rsqrt: 'RSQRT',
  Square: 'SQUARE',
  Neg: 'NEG',
  Abs: 'ABS',
  Floor: 'FLOOR',
};

export const elementwiseOps = [...Object.keys(BINARY), ...Object.keys(UNARY), 'LeakyRelu', 'Prelu', 'Softmax', 'LogSoftmax', 'AddN'];

export function lowerBinary(ctx: LowerContext, node: TfNode): void {
  const [aRef, bRef] = dataInputs(node);
  const a = ctx.get(aRef!);
  const b = ctx.get(bRef!);
  const op = BINARY[node.op]!;
  const shape = broadcastShapes(a.shape, b.shape, `${ctx.modelName}: ${node.op} '${node.name}'`);
  const fused = op === 'ADD' || op === 'SUB' || op === 'MUL' || op === 'DIV';
  // Integer arithmetic (index math after ArgMax) keeps int32; TF requires both sides to agree.
  ctx.emit(node, { op, inputs: [a.ir, b.ir], options: fused ? { fusedActivation: 'NONE' } : {} } as never, shape, a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32');
}

export function lowerAddN(ctx: LowerContext, node: TfNode): void {
  const refs = dataInputs(node);
  let acc = ctx.get(refs[0]!);
  for (let i = 1; i < refs.length; i++) {
    const next = ctx.get(refs[i]!);
    const shape = broadcastShapes(acc.shape, next.shape, `${ctx.modelName}: AddN '${node.name}'`);
    acc = ctx.emit(node, { name: i === refs.length - 1 ? node.name : `${node.name}/add_${i}`, op: 'ADD', inputs: [acc.ir, next.ir], options: { fusedActivation: 'NONE' } }, shape);
  }
}

/** A Cast that could not be folded: a runtime CAST between float32 and int32. */
export function lowerCast(ctx: LowerContext, node: TfNode): void {
  const x = ctx.get(dataInputs(node)[0]!);
  const t = node.attr.DstT;
  const to = t?.kind === 'type' && (t.value === 'DT_INT32' || t.value === 'DT_INT64') ? 'int32' : t?.kind === 'type' && t.value === 'DT_FLOAT' ? 'float32' : undefined;
  if (!to) throw new UnsupportedError(`${ctx.modelName}: Cast '${node.name}' to ${t?.kind === 'type' ? t.value : '?'} is not supported (only float32 and int32).`);
  if (to === x.dtype) {
    ctx.define(`${node.name}:0`, x);
    return;
  }
  ctx.emit(node, { op: 'CAST', inputs: [x.ir], options: {} }, x.shape, to);
}

export function lowerUnary(ctx: LowerContext, node: TfNode): void {
  const [xRef, ...args] = dataInputs(node);
  emitActivation(ctx, node, ctx.get(xRef!), node.op, args);
}

/** Emits `activation(x)` as the value of `${node.name}:0`. */
export function emitActivation(ctx: LowerContext, node: TfNode, x: Value, activation: string, args: string[]): Value {
  const name = ctx.values.has(`${node.name}:0`) ? `${node.name}/${activation}` : node.name;
  const unary = UNARY[activation];
  if (unary) return ctx.emit(node, { name, op: unary, inputs: [x.ir], options: {} } as never, x.shape);
  switch (activation) {
    case 'LeakyRelu':
      return ctx.emit(node, { name, op: 'LEAKY_RELU', inputs: [x.ir], options: { alpha: attrFloat(node, node.op === 'LeakyRelu' ? 'alpha' : 'leakyrelu_alpha', 0.2) } }, x.shape);
    case 'Prelu': {
      const alpha = ctx.get(args[0]!);
      return ctx.emit(node, { name, op: 'PRELU', inputs: [x.ir, alpha.ir], options: {} }, x.shape);
    }
    case 'Softmax':
      return ctx.emit(node, { name, op: 'SOFTMAX', inputs: [x.ir], options: { beta: 1 } }, x.shape);
    case 'LogSoftmax':
      return ctx.emit(node, { name, op: 'LOG_SOFTMAX', inputs: [x.ir], options: {} }, x.shape);
    default:
      throw new UnsupportedError(`${ctx.modelName}: activation ${activation} in '${node.name}' is not supported.`);
  }
}
