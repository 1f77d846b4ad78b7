// Datasets: the samples calibration, the GPTQ stream, evaluation and the preview read. A dataset yields one sample at a time (one
// Float32Array per model input, batch 1), so memory does not grow with the number of samples.
import { InputError } from '../errors';
import { seededRandom } from '../seeded-random';

export class CalibrationDataError extends InputError {
  override name = 'CalibrationDataError';
}

/** What a model input expects (from the IR graph or a runtime's tensor info). */
export interface InputSpec {
  name: string;
  /** With the batch dimension first; -1 marks a dynamic dimension. */
  shape: number[];
  dtype: string;
}

export interface Sample {
  /** One array per model input, in model input order, batch 1. */
  inputs: Float32Array[];
  /** Class label when the data carries labels (folder name index or a labels array). */
  label?: number;
  /** Where the sample came from (file name or row), for messages. */
  source: string;
  /** An image's path relative to its data folder (class sub-folder included), to show it again. */
  file?: string;
}

export interface Dataset {
  readonly description: string;
  /** Samples this dataset will yield. */
  readonly count: number;
  /** Samples available in the source before `--samples` selection. */
  readonly available: number;
  /** Class names when labels come from image folders. */
  readonly classes?: string[];
  /** Problems worth telling the user (few samples, range, noise); grows while iterating. */
  readonly warnings: string[];
  samples(signal?: AbortSignal): AsyncIterable<Sample>;
  close(): Promise<void>;
}

/** `count` indices out of `available`: a seeded shuffle, or the first ones in order. */
export function chooseIndices(available: number, count: number, seed: number | undefined): number[] {
  const all = Array.from({ length: available }, (_, i) => i);
  if (seed !== undefined) {
    const random = seededRandom(seed);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
  }
  return all.slice(0, Math.min(count, available));
}

/** A share of the data kept apart for validation: calibration never sees those samples. */
export interface HoldOut {
  /** 0 < fraction < 1 of the available samples (at least one) held out. */
  fraction: number;
  /** Which side to read: the samples left for calibration, or the held-out ones. */
  part: 'calibration' | 'validation';
}

/**
 * Splits one seeded shuffle of `available` samples: ⌈fraction·available⌉ of them are held out for
 * validation, calibration takes up to `count` from the rest. Disjoint by construction. With
 * `labels` (one per sample, from the source itself so that both sides see the same ones) the
 * split is stratified: each class keeps its share of the held-out samples.
 */
export function splitIndices(available: number, count: number, seed: number, holdOut: HoldOut, labels?: readonly number[]): number[] {
  const shuffled = chooseIndices(available, available, seed);
  const held = available < 2 ? 0 : Math.min(available - 1, Math.max(1, Math.ceil(available * holdOut.fraction)));
  const validation = labels && labels.length === available ? stratifiedTail(shuffled, labels, held) : new Set(shuffled.slice(available - held));
  if (holdOut.part === 'validation') return shuffled.filter((i) => validation.has(i)).slice(0, count);
  return shuffled.filter((i) => !validation.has(i)).slice(0, count);
}

/**
 * `held` samples out of `shuffled`, each class contributing its share (largest remainders get
 * the rounding; ties go to the class met first in the shuffle), the last ones of each class in
 * shuffle order. Depends only on which samples share a class, not on the label values.
 */
function stratifiedTail(shuffled: number[], labels: readonly number[], held: number): Set<number> {
  const byClass = new Map<number, number[]>();
  for (const i of shuffled) {
    const members = byClass.get(labels[i]!) ?? [];
    members.push(i);
    byClass.set(labels[i]!, members);
  }
  const groups = [...byClass.values()];
  const exact = groups.map((g) => (g.length * held) / shuffled.length);
  const quota = exact.map(Math.floor);
  let left = held - quota.reduce((a, b) => a + b, 0);
  const order = groups.map((_, k) => k).sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || a - b);
  for (const k of order) {
    if (left === 0) break;
    if (quota[k]! < groups[k]!.length) {
      quota[k]!++;
      left--;
    }
  }
  const out = new Set<number>();
  groups.forEach((g, k) => g.slice(g.length - quota[k]!).forEach((i) => out.add(i)));
  return out;
}

/**
 * Shape of one sample of `input`: without the batch dim when the input has one (a first dim of
 * 1 or dynamic, as Keras and TFLite declare [1, …] / [-1, …]); the whole shape otherwise, as for a
 * TF.js graph input [2, 2] that takes one 2×2 sample.
 */
export function sampleShape(input: InputSpec): number[] {
  const first = input.shape[0];
  return first === 1 || first === -1 || input.shape.length === 1 ? input.shape.slice(1) : [...input.shape];
}

/** Values of one sample of `input` (dynamic dims count as 1). */
export function sampleSize(input: InputSpec): number {
  return sampleShape(input).reduce((n, d) => n * Math.max(d, 1), 1);
}

/** Whether `dims` (one sample from a file) fits the input's per-sample shape (-1 matches any). */
export function fitsSample(input: InputSpec, dims: number[]): boolean {
  const want = sampleShape(input);
  const same = (a: number[]) => a.length === want.length && a.every((d, i) => want[i]! < 0 || want[i] === d);
  // Also accept a leading 1 (samples saved with their batch dim) and a missing trailing 1.
  return same(dims) || (dims[0] === 1 && same(dims.slice(1))) || (want.at(-1) === 1 && same([...dims, 1]));
}

export const MIN_RECOMMENDED_SAMPLES = 100;

export function fewSamplesWarning(available: number, requested: number): string | undefined {
  const used = Math.min(available, requested);
  if (used >= MIN_RECOMMENDED_SAMPLES) return undefined;
  // Read in the Studio (the Samples field) and in the CLI (--samples): name the setting, not a flag.
  const why = available < requested ? `only ${available} available` : `samples set to ${requested}`;
  return `Calibrating on ${used} sample(s) (${why}); ${MIN_RECOMMENDED_SAMPLES} or more give more reliable statistics.`;
}

/**
 * Heuristic for "this is random noise, not real data": real images, spectrograms and signals are
 * smooth, so neighbouring values correlate; i.i.d. noise has near-zero lag correlation.
 */
export function lagCorrelation(values: Float32Array, lag: number): number {
  const n = values.length - lag;
  if (n < 8) return 1;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    den += d * d;
    if (i < n) num += d * (values[i + lag]! - mean);
  }
  return den === 0 ? 1 : num / den;
}

/** Collects per-dataset quality warnings while samples stream through. */
export class SampleChecker {
  private noiseScores: number[] = [];
  private outOfRange = 0;
  private constant = 0;
  private first?: string;

  constructor(
    private readonly inputs: InputSpec[],
    private readonly range: [number, number] | undefined,
    private readonly rangeName: string | undefined,
  ) {}

  check(sample: Sample): void {
    sample.inputs.forEach((values, k) => {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (min === max) this.constant++;
      if (this.range && k === 0) {
        const [lo, hi] = this.range;
        const slack = (hi - lo) * 0.01;
        if (min < lo - slack || max > hi + slack) {
          this.outOfRange++;
          this.first ??= `${sample.source} spans [${min.toPrecision(4)}, ${max.toPrecision(4)}]`;
        }
      }
      if (this.noiseScores.length < 16) {
        const channels = this.inputs[k]!.shape.at(-1) ?? 1;
        const score = Math.max(lagCorrelation(values, 1), channels > 1 && channels < values.length / 8 ? lagCorrelation(values, channels) : -1);
        this.noiseScores.push(score);
      }
    });
  }

  warnings(): string[] {
    const out: string[] = [];
    if (this.outOfRange) out.push(`${this.outOfRange} sample(s) fall outside the ${this.rangeName} range [${this.range![0]}, ${this.range![1]}] (e.g. ${this.first}); check --preprocess.`);
    if (this.constant) out.push(`${this.constant} sample input(s) are constant (every value equal); calibration needs real data.`);
    const mean = this.noiseScores.reduce((a, b) => a + b, 0) / (this.noiseScores.length || 1);
    if (this.noiseScores.length && mean < 0.1) out.push(`The calibration data looks like random noise (neighbouring values uncorrelated, r=${mean.toFixed(2)}); use real samples or ranges will be wrong.`);
    return out;
  }
}
