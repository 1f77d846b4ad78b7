// What part of a tensor's float values its readers can tell apart. When every reader (through ops
// that only move its integer values) is an integer sigmoid or tanh, values beyond where those
// readers saturate give the same output whatever they are. The quantizer stores such a tensor
// only up to there (quantize/saturation.ts), so the debugger compares it with float as its
// readers see it: float values beyond the stored range, out where the readers saturate, count
// as the range's end, not as clipping errors.
import type { Graph, Node } from '../graph/model-graph';
import { opFacts } from '../quantize/op-facts';
import { INTEGER_CODES } from '../graph/integer-codes';
import { saturationBounds } from '../quantize/saturation';
import type { ActivationType, TensorRange } from '../quantize/qtypes';

/** Reference clamp for tensor `name` of the quantized graph, or undefined when its readers see every value. */
export function readersSeeRange(quant: Graph, name: string, readers: Map<string, Node[]>): TensorRange | undefined {
  const t = quant.tensors.get(name);
  if (!t?.quant || t.quant.scale.length !== 1 || !(t.dtype === 'int8' || t.dtype === 'int16')) return undefined;
  const dtype: ActivationType = t.dtype;
  const limits = INTEGER_CODES[dtype];
  const [scale, zeroPoint] = [t.quant.scale[0]!, t.quant.zeroPoint[0]!];
  const sameParams = (x: string) => {
    const q = quant.tensors.get(x)?.quant;
    return q?.scale.length === 1 && q.scale[0] === scale && q.zeroPoint[0] === zeroPoint;
  };
  const outputs = new Set(quant.outputs);
  let bounds: TensorRange | undefined;
  const pending = [name];
  const seen = new Set(pending);
  while (pending.length) {
    const x = pending.pop()!;
    if (outputs.has(x)) return undefined;
    for (const reader of readers.get(x) ?? []) {
      const out = reader.outputs[0]!;
      const facts = opFacts(reader.op);
      if (facts?.output.kind === 'shared' && sameParams(out)) {
        if (!seen.has(out)) {
          pending.push(out);
          seen.add(out);
        }
        continue;
      }
      const q = quant.tensors.get(out)?.quant;
      const b = facts?.output.kind === 'fixed' && q?.scale.length === 1 ? saturationBounds(reader.op, q.scale[0]!, q.zeroPoint[0]!, dtype) : undefined;
      if (!b) return undefined;
      bounds = bounds ? { min: Math.min(bounds.min, b.min), max: Math.max(bounds.max, b.max) } : b;
    }
  }
  if (!bounds) return undefined;
  const stored = { min: scale * (limits[0] - zeroPoint), max: scale * (limits[1] - zeroPoint) };
  // Within a step: the zero point's nudge moves the stored ends off the bounds the quantizer chose.
  const range = { min: stored.min <= bounds.min + scale ? stored.min : -Infinity, max: stored.max >= bounds.max - scale ? stored.max : Infinity };
  return Number.isFinite(range.min) || Number.isFinite(range.max) ? range : undefined;
}

/**
 * The float values as the readers see them (clamped to `range`) next to the quantized ones, keeping
 * only the elements where either lies inside the range: the rest are equal, and counting them would
 * fill the signal power with the clamp's constant.
 */
export function asReadersSee(reference: Float32Array, test: Float32Array, range: TensorRange): [Float32Array, Float32Array] {
  const keptReference: number[] = [];
  const keptTest: number[] = [];
  const inside = (v: number) => v > range.min && v < range.max;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.min(range.max, Math.max(range.min, reference[i]!));
    const q = test[i]!;
    if (!inside(r) && !inside(q) && Math.abs(r - q) <= 1e-6 * Math.max(1, Math.abs(r))) continue;
    keptReference.push(r);
    keptTest.push(q);
  }
  return [Float32Array.from(keptReference), Float32Array.from(keptTest)];
}

/** Adds the pair to `accumulator` as the readers see it (`range` undefined: as it is); nothing when no element matters. */
export function addAsReadersSee(accumulator: { add(reference: Float32Array, test: Float32Array): void }, range: TensorRange | undefined, reference: Float32Array, test: Float32Array): void {
  if (!range) return accumulator.add(reference, test);
  const [r, t] = asReadersSee(reference, test, range);
  if (r.length > 0) accumulator.add(r, t);
}
