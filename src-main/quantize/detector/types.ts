// The detector fixes' measurement, as the conversion sees it: what it hands a measurer and what
// comes back. The measurer itself runs real runtimes and decoders (src-main/detect/fixes/), which
// sit above the converter: callers inject it (ConvertOptions.detectorFixes).
import type { ModelGraph } from '../../graph/model-graph';
import type { QuantizeConfig, Recipe, Statistics } from '../qtypes';
import type { MeanPatches } from '../rounding/bias-correction';
import type { DetectorFix } from './apply';
import type { DetectorHead } from './head';
import type { SplitOutput } from './split';

export interface FixFigures {
  fix: DetectorFix;
  /** SQNR (dB) against float per concatenated output's group ('output:label') and per other output. */
  parts: { name: string; sqnrDb: number }[];
  /** Against the float model's detections (null: the float model found no boxes). */
  map50?: number | null;
  map5095?: number | null;
  /** Set when this variant could not be quantized or run (its figures are then empty). */
  error?: string;
}

export interface FixRecommendation {
  samples: number;
  runtime: string;
  /** The decoder that read the outputs for mAP (none: judged by SQNR alone). */
  decoder?: string;
  fixes: FixFigures[];
  best: DetectorFix;
}

export interface MeasureInput {
  floatModel: ModelGraph;
  head: DetectorHead;
  config: QuantizeConfig;
  recipe: Recipe;
  statistics: Statistics;
  /** Held-out samples (float inputs, one array per graph input). */
  samples: Float32Array[][];
  /** The calibration samples, for a config that re-reads them (`weightRounding: 'gptq'`; `biasCorrection` where `biasMeans` do not serve). */
  calibrationSamples?: () => AsyncIterable<Float32Array[]>;
  /** Bias correction's mean layer inputs from the conversion's calibration pass: no fix reads the calibration data again. */
  biasMeans?: MeanPatches;
  /** The conversion's own quantized model (fix none, same config, statistics and recipe): measured, not quantized again. */
  plain?: ModelGraph;
  write: (model: ModelGraph) => Uint8Array;
  signal?: AbortSignal;
}

export interface DetectorFixMeasurer {
  /** Whether a decoder reads the outputs (a head without a concatenation or DFL is still a detector's). */
  recognises(model: ModelGraph): boolean;
  measure(input: MeasureInput): Promise<FixRecommendation>;
}

export interface DetectorFixReport {
  /** The fix the written file has. */
  applied: DetectorFix;
  /** A split's outputs, in the file's output order. */
  outputs?: SplitOutput[];
  /** Every fix measured (default run with a measurer and calibration data). */
  recommendation?: FixRecommendation;
}

const db = (x: number) => (x === Infinity ? '∞' : x.toFixed(1));

/** The recommendation as report lines: one per fix with its figures, then the advice. */
export function recommendationLines(r: FixRecommendation): string[] {
  const lines = r.fixes.map((f) => {
    if (f.error) return `${f.fix}: failed (${f.error})`;
    const map = f.map50 !== undefined ? `mAP@0.5 ${f.map50 === null ? 'n/a' : f.map50.toFixed(3)}, mAP@0.5:0.95 ${f.map5095 == null ? 'n/a' : f.map5095.toFixed(3)}; ` : '';
    return `${f.fix}: ${map}SQNR ${f.parts.map((p) => `${p.name} ${db(p.sqnrDb)} dB`).join(', ')}`;
  });
  const advice = r.best === 'none' ? 'none of the fixes does better than plain int8: nothing to change' : `recommended: --detector-fix ${r.best} (not applied: this file was written with none)`;
  return [`detector fixes measured on ${r.samples} held-out sample(s) in ${r.runtime}${r.decoder ? ` (${r.decoder} decoder, vs float detections)` : ''}:`, ...lines.map((l) => `  ${l}`), advice];
}
