// A quantized detector file made with `--detector-fix split` has one output per channel group
// where the float model has one concatenated output: `X` became `X_boxes`, `X_scores` (or
// `X_group<i>`), in the concatenation's order, each in X's layout. Evaluation joins them back
// along the one axis where they differ, so the pair compares (and decodes) as one network.
import { concatAxis, sliceAxis } from '../graph/axis-layout';
import type { RuntimeTensorInfo } from '../runtime/types';
import { EvaluateInputError } from './errors';

/** Per float output: the quantized outputs that make it and the axis they join on (-1: one to one). */
export interface OutputJoin {
  parts: number[][];
  axes: number[];
  shapes: number[][][];
}

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** The axis along which `parts` stack into `whole` (same rank, equal elsewhere, sizes summing), or -1. */
function joinAxis(whole: readonly number[], parts: readonly (readonly number[])[]): number {
  for (let axis = 0; axis < whole.length; axis++) {
    const fits = parts.every((p) => p.length === whole.length && p.every((d, i) => i === axis || d === whole[i]));
    if (fits && parts.reduce((n, p) => n + p[axis]!, 0) === whole[axis]) return axis;
  }
  return -1;
}

/**
 * How `quant`'s outputs make `float`'s: undefined when they match one to one (same count and
 * sizes), a join when every float output is either matched by name and size or split into
 * `<name>_<group>` outputs; otherwise an error naming the first output that fits neither.
 */
export function outputJoin(float: readonly RuntimeTensorInfo[], quant: readonly RuntimeTensorInfo[]): OutputJoin | undefined {
  if (float.length === quant.length && float.every((t, i) => size(t.shape) === size(quant[i]!.shape))) return undefined;
  const join: OutputJoin = { parts: [], axes: [], shapes: [] };
  const used = new Set<number>();
  for (const [i, t] of float.entries()) {
    const same = quant.findIndex((q, k) => !used.has(k) && q.name === t.name && size(q.shape) === size(t.shape));
    if (same >= 0) {
      used.add(same);
      join.parts.push([same]);
      join.axes.push(-1);
      join.shapes.push([quant[same]!.shape]);
      continue;
    }
    const parts = quant.flatMap((q, k) => (!used.has(k) && q.name.startsWith(`${t.name}_`) ? [k] : []));
    const axis = parts.length > 1 ? joinAxis(t.shape, parts.map((k) => quant[k]!.shape)) : -1;
    if (axis < 0) {
      throw new EvaluateInputError(
        `Output ${i} '${t.name}' [${t.shape}] of the float model is neither in the quantized model nor split into '${t.name}_…' outputs (quantized outputs: ${quant.map((q) => `'${q.name}' [${q.shape}]`).join(', ')}); they are not the same network.`,
      );
    }
    parts.forEach((k) => used.add(k));
    join.parts.push(parts);
    join.axes.push(axis);
    join.shapes.push(parts.map((k) => quant[k]!.shape));
  }
  if (used.size !== quant.length) {
    const extra = quant.filter((_, k) => !used.has(k)).map((q) => `'${q.name}'`);
    throw new EvaluateInputError(`The quantized model has outputs the float model does not (${extra.join(', ')}); they are not the same network.`);
  }
  return join;
}

/** The quantized outputs in the float model's list (split groups joined). */
export function joinOutputs(join: OutputJoin, values: Float32Array[]): Float32Array[] {
  return join.parts.map((parts, i) => (join.axes[i]! < 0 ? values[parts[0]!]! : concatAxis(parts.map((k) => values[k]!), join.shapes[i]!, join.axes[i]!)));
}

/** One quantized output that is a group of a float output: its name and where it lies along the join axis. */
export interface OutputPart {
  name: string;
  shape: number[];
  axis: number;
  start: number;
  end: number;
}

/** Per float output, the split groups that make it (empty when it is matched one to one). */
export function outputParts(join: OutputJoin | undefined, quant: readonly RuntimeTensorInfo[], count: number): OutputPart[][] {
  return Array.from({ length: count }, (_, i) => {
    const axis = join?.axes[i] ?? -1;
    if (!join || axis < 0) return [];
    let start = 0;
    return join.parts[i]!.map((k, j) => {
      const shape = [...join.shapes[i]![j]!];
      const part = { name: quant[k]!.name, shape, axis, start, end: start + shape[axis]! };
      start = part.end;
      return part;
    });
  });
}

/** The values of `part` within its whole output (of `shape`). */
export function partValues(values: Float32Array, shape: readonly number[], part: OutputPart): Float32Array {
  return sliceAxis(values, shape, part.axis, part.start, part.end);
}
