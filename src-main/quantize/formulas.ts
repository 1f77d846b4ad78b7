// The exact arithmetic deploying code must apply at the model's edges, for `inspect` and the
// convert JSON: real = scale * (q - zeroPoint) and q = clamp(round(real / scale) + zeroPoint).
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { INT_LIMITS } from './math';

export interface IoFormula {
  kind: 'input' | 'output';
  name: string;
  dtype: string;
  shape: number[];
  /** Absent for float32 I/O (no arithmetic needed). */
  scale?: number;
  zeroPoint?: number;
  /** Representable float range of the integer type. */
  range?: { min: number; max: number };
  /** One line of C-like arithmetic, e.g. `q = clamp(round(x / 0.0039215689) + -128, -128, 127)`. */
  formula: string;
}

export function ioQuantFormulas(model: ModelGraph): IoFormula[] {
  const graph = mainGraph(model);
  const describe = (kind: IoFormula['kind'], name: string): IoFormula => {
    const t = graph.tensors.get(name)!;
    const base = { kind, name, dtype: t.dtype, shape: [...t.shape] };
    const limits = INT_LIMITS[t.dtype as keyof typeof INT_LIMITS];
    const q = t.quant;
    if (!limits || !q || q.scale.length !== 1) return { ...base, formula: `${t.dtype} values, no quantization arithmetic` };
    const scale = q.scale[0]!;
    const zeroPoint = q.zeroPoint[0]!;
    const range = { min: scale * (limits.min - zeroPoint), max: scale * (limits.max - zeroPoint) };
    const s = scale.toPrecision(9);
    const formula =
      kind === 'input'
        ? `q = clamp(round(x / ${s}) + ${zeroPoint}, ${limits.min}, ${limits.max})  (x = ${range.min.toPrecision(6)}..${range.max.toPrecision(6)})`
        : `y = ${s} * (q - ${zeroPoint})`;
    return { ...base, scale, zeroPoint, range, formula };
  };
  return [...graph.inputs.map((n) => describe('input', n)), ...graph.outputs.map((n) => describe('output', n))];
}

/** Human text, one line per edge, for the CLI. */
export function ioQuantFormulasText(model: ModelGraph): string {
  return ioQuantFormulas(model)
    .map((f) => `${f.kind} ${f.name} ${f.dtype}[${f.shape.join(',')}]: ${f.formula}`)
    .join('\n');
}
