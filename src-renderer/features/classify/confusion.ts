// What the confusion matrix view draws, from the run record's sparse counts (never recomputed
// from samples): the classes shown (all of them up to a limit, else the N most confused), a dense
// grid of those, and a heat step per cell so colour comes from classes (the CSP allows no inline
// styles).
import type { ClassificationResults, Confusion } from '../../../src-main/evaluate/classification';

export type MatrixKind = 'floatVsQuant' | 'labelVsQuant' | 'labelVsFloat';

export const MATRIX_TITLES: Record<MatrixKind, { title: string; rows: string; columns: string }> = {
  floatVsQuant: { title: 'Float vs quantized', rows: 'Float model says', columns: 'Quantized model says' },
  labelVsQuant: { title: 'Labels vs quantized', rows: 'Label', columns: 'Quantized model says' },
  labelVsFloat: { title: 'Labels vs float', rows: 'Label', columns: 'Float model says' },
};

/** Up to this many classes the whole matrix is drawn; above, the most confused ones. */
export const FULL_MATRIX_CLASSES = 20;

/** Heat steps: 0 is an empty cell, 1…HEAT_STEPS by share of the largest count. */
export const HEAT_STEPS = 5;

export interface MatrixView {
  kind: MatrixKind;
  /** Class indices shown, in order, and their names. */
  shown: number[];
  names: string[];
  /** counts[r][c] for the shown classes; `other` sums what falls outside them per row. */
  counts: number[][];
  other: number[];
  total: number;
  /** Total of the counts drawn (all of them when every class is shown). */
  drawn: number;
  max: number;
  /** True when only the most confused classes are shown. */
  partial: boolean;
}

export function availableKinds(results: ClassificationResults): MatrixKind[] {
  return results.confusion.labelVsQuant ? ['labelVsQuant', 'floatVsQuant', 'labelVsFloat'] : ['floatVsQuant'];
}

/**
 * The `limit` classes that take part in the most off-diagonal counts (row or column), in class
 * order; ties go to the lower index. Classes with no confusion at all fill up by total count.
 */
export function mostConfused(confusion: Confusion, limit: number): number[] {
  const off = new Map<number, number>();
  const seen = new Map<number, number>();
  for (const [r, c, n] of confusion.cells) {
    seen.set(r, (seen.get(r) ?? 0) + n);
    if (r === c) continue;
    off.set(r, (off.get(r) ?? 0) + n);
    off.set(c, (off.get(c) ?? 0) + n);
  }
  const score = (k: number) => (off.get(k) ?? 0) * 1e9 + (seen.get(k) ?? 0);
  const candidates = [...new Set([...seen.keys(), ...off.keys()])];
  candidates.sort((a, b) => score(b) - score(a) || a - b);
  return candidates.slice(0, limit).sort((a, b) => a - b);
}

export function matrixView(results: ClassificationResults, kind: MatrixKind, limit = FULL_MATRIX_CLASSES): MatrixView {
  const confusion = results.confusion[kind] ?? results.confusion.floatVsQuant;
  const classCount = results.classes.length;
  const partial = classCount > limit;
  const shown = partial ? mostConfused(confusion, limit) : results.classes.map((_, i) => i);
  const position = new Map(shown.map((k, i) => [k, i]));
  const counts = shown.map(() => shown.map(() => 0));
  const other = shown.map(() => 0);
  let total = 0;
  let drawn = 0;
  let max = 0;
  for (const [r, c, n] of confusion.cells) {
    total += n;
    const row = position.get(r);
    if (row === undefined) continue;
    const column = position.get(c);
    if (column === undefined) {
      other[row]! += n;
      continue;
    }
    counts[row]![column] = n;
    drawn += n;
    if (n > max) max = n;
  }
  return { kind, shown, names: shown.map((k) => results.classes[k] ?? String(k)), counts, other, total, drawn, max, partial };
}

/** 0 for an empty cell, else 1…HEAT_STEPS by its share of the largest count. */
export function heat(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.ceil((count / max) * HEAT_STEPS));
}

/** A per-class accuracy change worth colouring: at least half a point either way. */
export function deltaKind(float: number | null, quant: number | null): 'worse' | 'better' | 'same' {
  if (float === null || quant === null) return 'same';
  const d = quant - float;
  return d <= -0.005 ? 'worse' : d >= 0.005 ? 'better' : 'same';
}

export const signedPoints = (float: number | null, quant: number | null) => {
  if (float === null || quant === null) return '–';
  const d = (quant - float) * 100;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} pt`;
};
