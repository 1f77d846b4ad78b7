// The conversion's detector step, between the float passes and the quantizer:
// - `--detector-fix split|head-float|head-int16` applies that fix (apply.ts);
// - `--detector-fix none` changes nothing and measures nothing;
// - no flag, on a detector quantized to static integers with calibration data and a measurer
//   (injected by the CLI and the app: it runs real runtimes and decoders): the file is written
//   with none, and every fix is measured on a held-out share of the calibration data (20% unless
//   the run already holds some out) so the report can recommend one.
import type { DataReader } from '../data/reader';
import { mainGraph, type ModelGraph } from '../graph/model-graph';
import { inputSpecs, openDataset } from '../quantize/calibration/index';
import { applyDetectorFix } from '../quantize/detector/apply';
import { findDetectorHead, type DetectorHead } from '../quantize/detector/head';
import { recommendationLines, type DetectorFixMeasurer, type DetectorFixReport } from '../quantize/detector/types';
import type { CalibrationSpec, Recipe, Statistics } from '../quantize/qtypes';
import type { MeanPatches } from '../quantize/rounding/bias-correction';
import type { ConvertRequest } from './types';

export const MEASURE_HOLD_OUT = 0.2;
/** Held-out samples the fixes are measured on (each fix quantizes and runs them all). */
export const MEASURE_SAMPLES = 8;

export interface DetectorStep {
  model: ModelGraph;
  recipe: Recipe;
  /** The calibration the conversion runs (with a held-out share when measuring). */
  calibration?: CalibrationSpec;
  head?: DetectorHead;
  report?: DetectorFixReport;
  /** Whether the fixes are to be measured once calibration statistics exist. */
  measure: boolean;
}

export function planDetectorStep(model: ModelGraph, request: ConvertRequest, recipe: Recipe, warnings: string[], measurer?: DetectorFixMeasurer): DetectorStep {
  const fix = request.detectorFix;
  const spec = request.quantize.calibration;
  const head = fix === 'none' ? undefined : findDetectorHead(model, { isDetector: measurer?.recognises(model) ?? false });
  if (fix) {
    const applied = applyDetectorFix(model, head, fix, recipe);
    return { model: applied.model, recipe: applied.recipe, ...(spec ? { calibration: spec } : {}), ...(head ? { head } : {}), measure: false, report: { applied: fix, ...(applied.split ? { outputs: applied.split.outputs } : {}) } };
  }
  const staticInteger = recipe.rules.some((r) => r.algorithm === 'static');
  if (!head || !spec || !staticInteger || !measurer) return { model, recipe, ...(spec ? { calibration: spec } : {}), measure: false };
  if (spec.holdOut) return { model, recipe, calibration: spec, head, measure: true, report: { applied: 'none' } };
  warnings.push(`Detector: ${Math.round(MEASURE_HOLD_OUT * 100)}% of the calibration data is held out to measure the detector fixes (--detector-fix none skips the measurement and calibrates on all of it).`);
  return { model, recipe, calibration: { ...spec, holdOut: MEASURE_HOLD_OUT }, head, measure: true, report: { applied: 'none' } };
}

/** Reads the held-out share of the calibration data (at most MEASURE_SAMPLES samples). */
async function heldOutSamples(spec: CalibrationSpec, model: ModelGraph, reader?: DataReader, signal?: AbortSignal): Promise<Float32Array[][]> {
  const dataset = await openDataset(spec.path, inputSpecs(mainGraph(model)), {
    ...(spec.preprocess !== undefined ? { preprocess: spec.preprocess } : {}),
    samples: MEASURE_SAMPLES,
    seed: spec.seed,
    holdOut: { fraction: spec.holdOut ?? MEASURE_HOLD_OUT, part: 'validation' },
    warnFewSamples: false,
    ...(reader ? { reader } : {}),
  });
  try {
    const samples: Float32Array[][] = [];
    for await (const sample of dataset.samples(signal)) samples.push(sample.inputs);
    return samples;
  } finally {
    await dataset.close();
  }
}

/**
 * Measures every fix and adds the recommendation (figures and advice) to the report and warnings.
 * `plain`: the conversion's quantized model (fix none); `biasMeans`: its calibration pass's mean
 * layer inputs. With both, none is not quantized again and no fix re-reads the calibration data.
 */
export async function recommendDetectorFix(
  step: DetectorStep,
  request: ConvertRequest,
  statistics: Statistics,
  write: (model: ModelGraph) => Uint8Array,
  warnings: string[],
  measurer: DetectorFixMeasurer | undefined,
  options: { reader?: DataReader; signal?: AbortSignal; calibrationSamples?: () => AsyncIterable<Float32Array[]>; biasMeans?: MeanPatches; plain?: ModelGraph } = {},
): Promise<void> {
  if (!step.measure || !step.head || !step.calibration || !step.report || !measurer) return;
  const samples = await heldOutSamples(step.calibration, step.model, options.reader, options.signal);
  if (!samples.length) {
    warnings.push('Detector: no held-out sample to measure the detector fixes on; pass --detector-fix to choose one.');
    return;
  }
  const recommendation = await measurer.measure({
    floatModel: step.model,
    head: step.head,
    config: request.quantize,
    recipe: step.recipe,
    statistics,
    samples,
    write,
    ...(options.calibrationSamples ? { calibrationSamples: options.calibrationSamples } : {}),
    ...(options.biasMeans ? { biasMeans: options.biasMeans } : {}),
    ...(options.plain ? { plain: options.plain } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  step.report.recommendation = recommendation;
  if (recommendation.best !== 'none') warnings.push(`Detector: ${recommendationLines(recommendation).at(-1)!}; figures in the report.`);
}
