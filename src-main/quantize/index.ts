// Public entry of the quantizer: recipe → (calibration) statistics → params → transformations →
// validation. The convert pipeline calls `quantizeModel`; the recipe drives which transformations
// run, through the algorithm registry (algorithms.ts → algorithm-stages.ts).
import type { ConvertProgress } from '../convert/types';
import { biasCorrectionFor, weightRoundingFor } from '../convert/weight-rounding';
import { CancelledError } from '../errors';
import { mainGraph, pruneTensors, type Graph, type ModelGraph } from '../graph/model-graph';
import type { GraphInputs } from '../graph/execute';
import { compareLayers } from '../validation/layers';
import { algorithmsOf } from './algorithms';
import { STAGES, type StageContext } from './algorithm-stages';
import { cloneModel, constantBytes } from './clone';
import { QuantizeInputError, QuantizeValidationError } from './errors';
import { checkNodeSelectors } from './node-selectors';
import type { NodeDomain, QuantizeConfig, QuantizeReport, Recipe, Statistics, TensorRange } from './qtypes';
import { checkIoTypes, recipeFor } from './recipe';
import { layerReports } from './report';
import { expandQuantizedConstants } from './transformations/expand-quantized-constants';
import { foldFp16Dequantize } from './transformations/fold-fp16-dequantize';
import { shareIdenticalConstants } from './transformations/share-constants';
import { validateGraph } from './validate';
import type { GptqTap } from './rounding/calibration-tap';
import type { MeanPatches } from './rounding/bias-correction';

export { ioQuantFormulas, ioQuantFormulasText, type IoFormula } from './formulas';
export { loadRecipeFile, parseRecipe, presetRecipe, recipeFor, withNodeRules } from './recipe';
export { foldFp16Dequantize } from './transformations/fold-fp16-dequantize';
export type { QuantizeReport, Recipe, Statistics, TensorRange } from './qtypes';
export { QuantizeInputError, QuantizeUnsupportedError, QuantizeValidationError } from './errors';

export interface QuantizeOptions {
  /** Per-tensor float ranges from calibration (helper `collectStatistics`), keyed by tensor name. */
  statistics?: Statistics;
  /**
   * Called with the float graph (FP16 constants already folded) when `statistics` is absent; for
   * int8 gptq with a `gptq` tap whose layer sums the same pass should set (else gptq runs its own pass).
   */
  calibrate?: (model: ModelGraph, gptq?: GptqTap) => Promise<Statistics>;
  /** Declared ranges that override calibration, e.g. a graph input's range from its preprocessing. */
  inputRanges?: Map<string, TensorRange>;
  /** The complete recipe (a file's, with `config.keepFloat` applied: `recipeFor`); default: `recipeFor(config)`. */
  recipe?: Recipe;
  /**
   * Calibration inputs for error-compensated weight rounding (`weightRounding: 'gptq'`) and for
   * bias correction where calibration's own pass cannot measure its means (dynamic range, or
   * `statistics` given); called once per pass (one pass per layer), each call iterating the same
   * samples afresh.
   */
  samples?: () => AsyncIterable<GraphInputs>;
  /**
   * Mean input patches an earlier calibration pass over the same float model summed (its tap's
   * `meanSums`): bias correction uses them with `statistics` instead of a pass over `samples`
   * when they cover every layer it corrects.
   */
  biasMeans?: MeanPatches;
  /** Samples (float inputs) for the per-output and per-layer error report; none: the report has no errors. */
  validationInputs?: GraphInputs[];
  onProgress?: (progress: ConvertProgress) => void;
  signal?: AbortSignal;
  /** Compute workers for the one-pass gptq statistics (int8; default 1: this thread). */
  workers?: number;
}

export interface QuantizeResult {
  model: ModelGraph;
  warnings: string[];
  report: QuantizeReport;
}

/** Ranges a known preprocessing gives image inputs (rank 4), so raw bytes map exactly to the model's input. */
const PRESET_RANGES: Record<string, TensorRange> = { '0..1': { min: 0, max: 1 }, '-1..1': { min: -1, max: 1 }, '0..255': { min: 0, max: 255 } };
function preprocessInputRanges(graph: Graph, config: QuantizeConfig): Map<string, TensorRange> {
  const range = PRESET_RANGES[config.calibration?.preprocess ?? ''];
  const ranges = new Map<string, TensorRange>();
  if (range) for (const name of graph.inputs) if (graph.tensors.get(name)?.shape.length === 4) ranges.set(name, range);
  return ranges;
}

export async function quantizeModel(source: ModelGraph, config: QuantizeConfig, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const { onProgress, signal } = options;
  if (config.mode === 'none') checkIoTypes(config);
  const model = cloneModel(source);
  const graph = mainGraph(model);
  const warnings: string[] = [];
  const before = constantBytes(mainGraph(source));
  if (config.mode === 'none') return { model, warnings, report: { mode: 'none', recipe: 'none', floatOps: [], layers: [], checks: [], sizeBytes: { before, after: before }, timings: {} } };
  const recipe = options.recipe ?? recipeFor(config);
  if (recipe.mode !== config.mode) throw new QuantizeInputError(`Recipe '${recipe.name}' is for ${recipe.mode}, not ${config.mode}.`);
  checkIoTypes(config, recipe);
  checkNodeSelectors(recipe, graph);
  const folded = foldFp16Dequantize(graph);
  if (folded) warnings.push(`Expanded ${folded} FLOAT16 constants to float32 before quantizing.`);
  const expanded = expandQuantizedConstants(graph);
  if (expanded) warnings.push(`Expanded ${expanded} int8 weights to float32 before quantizing (the source was dynamic-range quantized).`);
  const floatModel = folded || expanded ? cloneModel(model) : source;
  const report: QuantizeReport = { mode: config.mode, recipe: recipe.name, floatOps: [], layers: [], checks: [], sizeBytes: { before, after: before }, timings: {} };
  let clock = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    report.timings[name] = Math.round((report.timings[name] ?? 0) + now - clock);
    clock = now;
  };
  const gptqSamples = weightRoundingFor(config) === 'gptq' ? options.samples : undefined;
  if (config.weightRounding === 'gptq' && !gptqSamples) throw new QuantizeInputError('--weight-rounding gptq needs calibration data (--calibration DIR|FILE.npy|FILE.npz).');
  // Bias correction asked for, or on by default (then only where calibration data is given).
  const biasCorrection = biasCorrectionFor(config) && !gptqSamples && config.mode !== 'fp16';
  const biasSamples = biasCorrection ? options.samples : undefined;
  if (config.biasCorrection && config.mode === 'fp16') throw new QuantizeInputError('--bias-correction applies to int8 weights (--quantize dynamic|int8|int16x8), not fp16.');
  if (config.biasCorrection && !options.samples && !options.biasMeans && !(options.calibrate && !options.statistics)) throw new QuantizeInputError('--bias-correction needs calibration data (--calibration DIR|FILE.npy|FILE.npz).');

  if (config.biasCorrection && gptqSamples) warnings.push('--bias-correction is not applied with --weight-rounding gptq, which corrects each bias itself.');
  const domains = new Map<string, NodeDomain>();
  const ctx: StageContext = {
    graph,
    floatModel,
    config,
    recipe,
    sourceNodes: new Set(graph.nodes.map((n) => n.name)),
    ...(options.statistics ? { statistics: options.statistics } : {}),
    ...(options.calibrate ? { calibrate: options.calibrate } : {}),
    inputRanges: new Map([...preprocessInputRanges(graph, config), ...(options.inputRanges ?? [])]),
    ...(gptqSamples ? { gptqSamples } : {}),
    ...(biasCorrection ? { biasCorrection } : {}),
    ...(biasSamples ? { biasSamples } : {}),
    ...(biasCorrection && options.biasMeans ? { biasMeans: options.biasMeans } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
    report,
    warnings,
    domains,
    floatOps: [],
    lap,
  };
  for (const entry of algorithmsOf(recipe)) {
    await STAGES[entry.transformation](ctx);
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
  }
  pruneTensors(graph);
  shareIdenticalConstants(graph);
  if (recipe.recordWeightRanges === false) {
    for (const t of graph.tensors.values()) {
      if (!t.data || !t.quant || t.dtype !== 'int8') continue;
      delete t.quant.min;
      delete t.quant.max;
    }
  }
  if (signal?.aborted) throw new CancelledError('Quantization cancelled.');

  lap('quantizeMs');
  onProgress?.({ stage: 'validate', fraction: 0, message: 'checking the quantized graph' });
  report.checks = validateGraph(graph);
  const failed = report.checks.filter((c) => !c.passed);
  if (failed.length) throw new QuantizeValidationError(`Quantized graph failed checks: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}.`);
  report.floatOps = ctx.floatOps;
  report.layers = layerReports(mainGraph(floatModel), graph, domains, recipe);
  report.sizeBytes.after = constantBytes(graph);
  if (options.validationInputs?.length) {
    const errors = await compareLayers(floatModel, model, options.validationInputs, { ...(signal ? { signal } : {}) });
    report.outputs = errors.outputs.map((o) => ({ name: o.name, sqnrDb: o.sqnrDb, maxAbsError: o.maxAbsError }));
    const byNode = new Map(errors.layers.map((l) => [l.node, l.sqnrDb]));
    for (const layer of report.layers) {
      const sqnr = byNode.get(layer.node);
      if (sqnr !== undefined) layer.outputSqnrDb = sqnr;
    }
  }
  lap('validateMs');
  model.metadata = { ...model.metadata, quantization: config.mode };
  onProgress?.({ stage: 'quantize', fraction: 1 });
  return { model, warnings, report };
}
