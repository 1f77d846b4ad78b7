// Reading the arguments of a TF function call (TFOpLambda / SlicingOpLambda) by parameter
// name, whether Keras wrote them positionally or as keywords, as tensors or as constants.
import type { OpArg, OpCallArgs } from '../op-call';
import type { Value } from '../builder';
import type { LowerContext } from './context';

export class TfCall {
  constructor(
    readonly ctx: LowerContext,
    /** The function as the user wrote it, e.g. 'tf.split'. */
    readonly fn: string,
    private readonly inputs: Value[],
    private readonly args: OpCallArgs,
    /** Parameter names in the TF signature order; the first is the first argument. */
    private readonly params: readonly string[],
  ) {}

  raw(name: string): OpArg | undefined {
    const i = this.params.indexOf(name);
    if (i === 0) return this.args.first;
    if (i > 0 && i - 1 < this.args.positional.length) return this.args.positional[i - 1];
    const v = this.args.kwargs[name];
    return v === null ? undefined : v;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  fail(reason: string): never {
    return this.ctx.fail(`${this.fn}: ${reason}`);
  }

  /** A tensor argument; numbers and nested number lists become float constants. */
  tensor(name: string): Value {
    const v = this.raw(name);
    if (v === undefined) return this.fail(`argument '${name}' is missing.`);
    return this.toValue(v, name);
  }

  /** A list-of-tensors argument (tf.concat values). */
  tensors(name: string): Value[] {
    const v = this.raw(name);
    if (!Array.isArray(v)) return this.fail(`argument '${name}' is not a list of tensors.`);
    return v.map((x, i) => this.toValue(x, `${name}[${i}]`));
  }

  int(name: string, fallback?: number): number {
    const v = this.raw(name);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
    if (v === undefined && fallback !== undefined) return fallback;
    return this.fail(`argument '${name}' must be a constant integer (got ${JSON.stringify(v ?? null)}).`);
  }

  ints(name: string): number[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v === 'number') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    return this.fail(`argument '${name}' must be a constant list of integers (got ${JSON.stringify(v)}).`);
  }

  private toValue(v: OpArg, what: string): Value {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v['tensor'] === 'number') {
      const t = this.inputs[v['tensor']];
      if (!t) return this.fail(`argument '${what}' refers to a missing input.`);
      return t;
    }
    if (typeof v === 'number') return this.ctx.b.scalar(this.ctx.t(what), v);
    if (Array.isArray(v)) {
      const shape: number[] = [];
      for (let level: OpArg = v; Array.isArray(level); level = level[0] ?? null) shape.push(level.length);
      const flat = (v as unknown[]).flat(Infinity);
      if (!flat.every((x) => typeof x === 'number') || flat.length !== shape.reduce((a, d) => a * d, 1)) {
        return this.fail(`argument '${what}' is not a rectangular numeric constant.`);
      }
      return this.ctx.b.constant(this.ctx.t(what), shape, Float32Array.from(flat as number[]));
    }
    return this.fail(`argument '${what}' (${JSON.stringify(v)}) is neither a tensor nor a numeric constant.`);
  }
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function broadcastShape(c: TfCall, a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) c.fail(`shapes [${a}] and [${b}] do not broadcast.`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
