// Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.
import type { OpType } from '../../../graph/ops';
import type { Value } from '../builder';
import type { LowerContext } from './context';

function broadcast(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function chain(ctx: LowerContext, inputs: Value[], op: 'ADD' | 'MUL' | 'MAXIMUM' | 'MINIMUM', label: string): Value {
  if (inputs.length < 2) ctx.fail('a merge layer needs at least two inputs.');
  let acc = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) {
    const rhs = inputs[i]!;
    const name = ctx.t(i === 1 ? label : `${label}_${i - 1}`);
    const shape = broadcast(acc.shape, rhs.shape);
    acc = op === 'ADD' || op === 'MUL' ? ctx.b.op(op, name, [acc, rhs], { fusedActivation: 'NONE' }, shape) : ctx.b.op(op, name, [acc, rhs], {}, shape);
  }
  return acc;
}

export function lowerMerge(op: 'ADD' | 'MUL' | 'MAXIMUM' | 'MINIMUM' | 'AVERAGE' | 'SUB') {
  return (ctx: LowerContext, inputs: Value[]): Value[] => {
    if (op === 'SUB') {
      if (inputs.length !== 2) ctx.fail('Subtract needs exactly two inputs.');
      const [a, b] = inputs as [Value, Value];
      return [ctx.b.op('SUB', ctx.t('sub'), [a, b], { fusedActivation: 'NONE' }, broadcast(a.shape, b.shape))];
    }
    if (op === 'AVERAGE') {
      const sum = chain(ctx, inputs, 'ADD', 'add');
      return [ctx.b.op('MUL', ctx.t('truediv'), [sum, ctx.b.scalar(ctx.t('truediv/y'), 1 / inputs.length)], { fusedActivation: 'NONE' }, sum.shape)];
    }
    const labels: Record<string, string> = { ADD: 'add', MUL: 'mul', MAXIMUM: 'Maximum', MINIMUM: 'Minimum' };
    return [chain(ctx, inputs, op, labels[op as OpType & string] ?? 'merge')];
  };
}

export function lowerConcatenate(ctx: LowerContext, inputs: Value[]): Value[] {
  if (inputs.length < 1) ctx.fail('Concatenate needs inputs.');
  const rank = inputs[0]!.shape.length;
  const raw = ctx.num('axis', -1);
  const axis = raw < 0 ? rank + raw : raw;
  const out = [...inputs[0]!.shape];
  out[axis] = inputs.reduce((a, v) => a + v.shape[axis]!, 0);
  return [ctx.b.op('CONCATENATION', ctx.t('concat'), inputs, { axis, fusedActivation: 'NONE' }, out)];
}
