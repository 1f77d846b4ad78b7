// Classification results of a float vs quantized evaluation, computed once while the samples
// stream through and kept in the run record (the UI only draws them): accuracy of each model on
// the labels, per-class accuracy, confusion matrices (float vs quantized always; labels vs each
// model when labelled) and a bounded list of the samples whose top-1 class changed.
import { argmax } from './metrics';

/** A model's top-1 class for one sample and its probability. */
export interface TopClass {
  index: number;
  prob: number;
}

export interface ChangedSample {
  /** File name or array row, as the data set names it. */
  source: string;
  /** Path inside the data folder (class sub-folder included) for image folders. */
  file?: string;
  label?: number;
  float: TopClass;
  quant: TopClass;
}

/** Counts by (row, column) class, only the cells that are not zero: [row, column, count]. */
export interface Confusion {
  rows: 'float' | 'label';
  columns: 'quant' | 'float';
  cells: [number, number, number][];
}

export interface ClassRow {
  index: number;
  name: string;
  /** Labelled samples of this class. */
  samples: number;
  floatCorrect: number;
  quantCorrect: number;
  /** floatCorrect / samples and quantCorrect / samples (null without labelled samples). */
  floatAccuracy: number | null;
  quantAccuracy: number | null;
  /** Samples the float model put in this class, and how many of them the quantized model also did. */
  floatPredicted: number;
  agreed: number;
}

export interface ClassificationResults {
  /** The output the results are about (the first classification output). */
  output: string;
  /** One name per output score. */
  classes: string[];
  /** Whether `prob` is the model's own output or a softmax of its scores (logits). */
  probabilities: 'output' | 'softmax';
  samples: number;
  labelled: number;
  agreement: number;
  floatAccuracy: number | null;
  quantAccuracy: number | null;
  /** Classes that occur in the labels or in either model's predictions, by index. */
  perClass: ClassRow[];
  confusion: { floatVsQuant: Confusion; labelVsFloat?: Confusion; labelVsQuant?: Confusion };
  changed: {
    /** Samples whose top-1 class differs between the models. */
    total: number;
    /** At most MAX_CHANGED of them: those that lost a right answer first, then by probability lost. */
    shown: ChangedSample[];
    /** The run's file holding one thumbnail per shown sample (PNG, base64), when the input is an image. */
    thumbnails?: string;
  };
}

export const MAX_CHANGED = 48;

/** Probabilities of one score vector: the values when they already are a distribution, else a softmax. */
export function looksLikeDistribution(values: Float32Array): boolean {
  let sum = 0;
  for (const v of values) {
    if (!(v >= -1e-4 && v <= 1 + 1e-4)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 0.02;
}

export function softmax(values: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const out = new Float32Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += out[i] = Math.exp(values[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Names for `count` output scores: the data's class names when they fit, else the indices. */
export function classNamesFor(count: number, names: string[] | undefined): string[] {
  // Numeric folder names (0, 1, …) are indices already, whichever of them exist.
  const usable = names && !names.every((n) => /^\d+$/.test(n)) ? names : undefined;
  return Array.from({ length: count }, (_, i) => usable?.[i] ?? String(i));
}

interface Kept extends ChangedSample {
  order: number;
  rank: number;
  inputs: Float32Array[];
}

class SparseCounts {
  private readonly counts = new Map<number, number>();
  constructor(private readonly size: number) {}
  add(row: number, column: number): void {
    const key = row * this.size + column;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  cells(): [number, number, number][] {
    return [...this.counts.entries()].sort(([a], [b]) => a - b).map(([key, n]) => [Math.floor(key / this.size), key % this.size, n]);
  }
}

/** Collects classification results sample by sample; memory is bounded by the classes and MAX_CHANGED inputs. */
export class ClassificationCollector {
  private samples = 0;
  private labelled = 0;
  private agree = 0;
  private floatRight = 0;
  private quantRight = 0;
  private probabilities: 'output' | 'softmax' | undefined;
  private readonly floatVsQuant: SparseCounts;
  private readonly labelVsFloat: SparseCounts;
  private readonly labelVsQuant: SparseCounts;
  private readonly rows: Omit<ClassRow, 'name' | 'floatAccuracy' | 'quantAccuracy'>[];
  private changedTotal = 0;
  private kept: Kept[] = [];

  constructor(
    readonly output: string,
    readonly classCount: number,
    private readonly maxChanged = MAX_CHANGED,
  ) {
    this.floatVsQuant = new SparseCounts(classCount);
    this.labelVsFloat = new SparseCounts(classCount);
    this.labelVsQuant = new SparseCounts(classCount);
    this.rows = Array.from({ length: classCount }, (_, index) => ({ index, samples: 0, floatCorrect: 0, quantCorrect: 0, floatPredicted: 0, agreed: 0 }));
  }

  /** One sample's scores of both models (dequantized), its label when known, its inputs for a thumbnail. */
  add(sample: { source: string; file?: string; label?: number; inputs?: Float32Array[] }, floatScores: Float32Array, quantScores: Float32Array): void {
    this.probabilities ??= looksLikeDistribution(floatScores) ? 'output' : 'softmax';
    const fp = this.probabilities === 'output' ? floatScores : softmax(floatScores);
    const qp = this.probabilities === 'output' ? quantScores : softmax(quantScores);
    const f = argmax(fp);
    const q = argmax(qp);
    this.samples++;
    this.floatVsQuant.add(f, q);
    this.rows[f]!.floatPredicted++;
    if (f === q) {
      this.agree++;
      this.rows[f]!.agreed++;
    }
    const label = sample.label !== undefined && sample.label >= 0 && sample.label < this.classCount ? sample.label : undefined;
    if (label !== undefined) {
      this.labelled++;
      const row = this.rows[label]!;
      row.samples++;
      this.labelVsFloat.add(label, f);
      this.labelVsQuant.add(label, q);
      if (f === label) {
        this.floatRight++;
        row.floatCorrect++;
      }
      if (q === label) {
        this.quantRight++;
        row.quantCorrect++;
      }
    }
    if (f === q) return;
    this.changedTotal++;
    // Lost a right answer (0), gained one (1), neither or no label (2); then by how much
    // probability the float model's class lost.
    const group = label === undefined ? 2 : f === label ? 0 : q === label ? 1 : 2;
    const rank = group * 2 + (1 - (fp[f]! - qp[f]!));
    this.kept.push({
      source: sample.source,
      ...(sample.file ? { file: sample.file } : {}),
      ...(label !== undefined ? { label } : {}),
      float: { index: f, prob: round(fp[f]!) },
      quant: { index: q, prob: round(qp[q]!) },
      order: this.samples,
      rank,
      inputs: sample.inputs ?? [],
    });
    if (this.kept.length >= this.maxChanged * 2) this.trim();
  }

  private trim(): void {
    this.kept.sort((a, b) => a.rank - b.rank || a.order - b.order);
    this.kept.length = Math.min(this.kept.length, this.maxChanged);
  }

  /** The shown changed samples' inputs, in `shown` order (for thumbnails). */
  changedInputs(): Float32Array[][] {
    this.trim();
    return this.kept.map((k) => k.inputs);
  }

  result(classNames?: string[]): ClassificationResults {
    this.trim();
    const names = classNamesFor(this.classCount, classNames);
    const labelled = this.labelled > 0;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    return {
      output: this.output,
      classes: names,
      probabilities: this.probabilities ?? 'output',
      samples: this.samples,
      labelled: this.labelled,
      agreement: this.samples ? this.agree / this.samples : 0,
      floatAccuracy: ratio(this.floatRight, this.labelled),
      quantAccuracy: ratio(this.quantRight, this.labelled),
      perClass: this.rows
        .filter((r) => r.samples > 0 || r.floatPredicted > 0)
        .map((r) => ({ ...r, name: names[r.index]!, floatAccuracy: ratio(r.floatCorrect, r.samples), quantAccuracy: ratio(r.quantCorrect, r.samples) })),
      confusion: {
        floatVsQuant: { rows: 'float', columns: 'quant', cells: this.floatVsQuant.cells() },
        ...(labelled
          ? {
              labelVsFloat: { rows: 'label', columns: 'float', cells: this.labelVsFloat.cells() },
              labelVsQuant: { rows: 'label', columns: 'quant', cells: this.labelVsQuant.cells() },
            }
          : {}),
      },
      changed: { total: this.changedTotal, shown: this.kept.map(({ order: _o, rank: _r, inputs: _i, ...shown }) => shown) },
    };
  }
}

const round = (p: number) => Math.round(p * 1e4) / 1e4;
