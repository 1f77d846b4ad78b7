// Public entry of the quantizer: recipe → (calibration) statistics → params → transformations →
// validation. The convert pipeline calls `quantizeModel`; everything else here is a stage.
import type { ConvertProgress, IoType, QuantizeConfig } from '../convert/types';
import { weightRoundingFor } from '../convert/weight-rounding';
import { CancelledError } from '../errors';
import { mainGraph, pruneTensors, type Graph, type ModelGraph, type Node, type Tensor } from '../graph/model-graph';
import { cloneModel, constantBytes } from './clone';
import { QuantizeInputError, QuantizeUnsupportedError, QuantizeValidationError } from './errors';
import { dequantize, sqnrDb } from './math';
import { opFacts } from './op-facts';
import { planStatic, type FloatOp } from './params';
import type { LayerReport, NodeDomain, QuantizeReport, Recipe, Statistics, TensorRange } from './qtypes';
import { presetRecipe } from './recipe';
import { applyBoundaries } from './transformations/boundaries';
import { quantizeDynamicWeights, storesHybridWeights } from './transformations/dynamic-weights';
import { expandQuantizedConstants } from './transformations/expand-quantized-constants';
import { foldFp16Dequantize } from './transformations/fold-fp16-dequantize';
import { FP16_GRID, roundFloatConstantsToFp16, storeConstantsAsFp16 } from './transformations/fp16-constants';
import { compensateWeightRounding } from './rounding/compensate';
import { compensateIntegerWeights } from './rounding/integer-weights';
import { quantizeStaticConstants } from './transformations/static-constants';
import { shareIdenticalConstants } from './transformations/share-constants';
import { validateGraph } from './validate';
import { compareLayers } from './layer-errors';
import type { GraphInputs } from '../graph/execute';

export { ioQuantFormulas, ioQuantFormulasText, type IoFormula } from './formulas';
export { compareLayers, type LayerError, type OutputError } from './layer-errors';
export { loadRecipeFile, parseRecipe, presetRecipe } from './recipe';
export { foldFp16Dequantize } from './transformations/fold-fp16-dequantize';
export type { QuantizeReport, Recipe, Statistics, TensorRange } from './qtypes';
export { QuantizeInputError, QuantizeUnsupportedError, QuantizeValidationError } from './errors';

export interface QuantizeOptions {
  /** Per-tensor float ranges from calibration (helper `collectStatistics`), keyed by tensor name. */
  statistics?: Statistics;
  /** Called with the float graph (FP16 constants already folded) when `statistics` is absent. */
  calibrate?: (model: ModelGraph) => Promise<Statistics>;
  /** Declared ranges that override calibration, e.g. a graph input's range from its preprocessing. */
  inputRanges?: Map<string, TensorRange>;
  /** A custom recipe instead of the preset for `config.mode`. */
  recipe?: Recipe;
  /**
   * Calibration inputs for error-compensated weight rounding (`weightRounding: 'gptq'`); called
   * once per pass (one pass per layer), each call iterating the same samples afresh.
   */
  samples?: () => AsyncIterable<GraphInputs>;
  /** Samples (float inputs) for the per-output and per-layer error report; none: the report has no errors. */
  validationInputs?: GraphInputs[];
  onProgress?: (progress: ConvertProgress) => void;
  signal?: AbortSignal;
}

export interface QuantizeResult {
  model: ModelGraph;
  warnings: string[];
  report: QuantizeReport;
}

function checkIoTypes(config: QuantizeConfig): void {
  const allowed: Record<string, IoType[]> = {
    none: ['float32'],
    fp16: ['float32'],
    dynamic: ['float32'],
    int8: ['float32', 'int8', 'uint8'],
    int16x8: ['float32', 'int16'],
  };
  for (const [flag, type] of [['--input-type', config.inputType], ['--output-type', config.outputType]] as const) {
    if (!allowed[config.mode]!.includes(type))
      throw new QuantizeInputError(`${flag} ${type} is not available with --quantize ${config.mode}; use ${allowed[config.mode]!.join(' or ')}.`);
  }
}

/** Ranges a known preprocessing gives image inputs (rank 4), so raw bytes map exactly to the model's input. */
const PRESET_RANGES: Record<string, TensorRange> = { '0..1': { min: 0, max: 1 }, '-1..1': { min: -1, max: 1 }, '0..255': { min: 0, max: 255 } };
function preprocessInputRanges(graph: Graph, config: QuantizeConfig): Map<string, TensorRange> {
  const range = PRESET_RANGES[config.calibration?.preprocess ?? ''];
  const ranges = new Map<string, TensorRange>();
  if (range) for (const name of graph.inputs) if (graph.tensors.get(name)?.shape.length === 4) ranges.set(name, range);
  return ranges;
}

function layerReports(source: Graph, result: Graph, domains: Map<string, NodeDomain>): LayerReport[] {
  const sourceNodes = new Map(source.nodes.map((n) => [n.name, n]));
  const layers: LayerReport[] = [];
  for (const node of result.nodes) {
    const from = sourceNodes.get(node.name);
    if (!from) continue; // converters we inserted
    const layer: LayerReport = { node: node.name, op: node.op, domain: domains.get(node.name) ?? 'float' };
    const index = opFacts(node.op)?.weights?.input;
    const w: Tensor | undefined = index !== undefined ? result.tensors.get(node.inputs[index] ?? '') : undefined;
    const original = index !== undefined ? source.tensors.get(from.inputs[index] ?? '') : undefined;
    if (w && original?.data && original.dtype === 'float32' && w.data && w.dtype === 'int8' && w.quant) {
      layer.weightDtype = 'int8';
      layer.weightSqnrDb = sqnrDb(original.data as Float32Array, dequantize(w.data as Int8Array, w.shape, w.quant));
    }
    layers.push(layer);
  }
  return layers;
}

export async function quantizeModel(source: ModelGraph, config: QuantizeConfig, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const { onProgress, signal } = options;
  const stopIfCancelled = (): void => {
    if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
  };
  checkIoTypes(config);
  const model = cloneModel(source);
  const graph = mainGraph(model);
  const warnings: string[] = [];
  const before = constantBytes(mainGraph(source));
  if (config.mode === 'none') return { model, warnings, report: { mode: 'none', recipe: 'none', floatOps: [], layers: [], checks: [], sizeBytes: { before, after: before }, timings: {} } };
  const folded = foldFp16Dequantize(graph);
  if (folded) warnings.push(`Expanded ${folded} FLOAT16 constants to float32 before quantizing.`);
  const expanded = expandQuantizedConstants(graph);
  if (expanded) warnings.push(`Expanded ${expanded} int8 weights to float32 before quantizing (the source was dynamic-range quantized).`);
  const floatGraph = folded || expanded ? cloneModel(model) : source;
  const report: QuantizeReport = { mode: config.mode, recipe: 'none', floatOps: [], layers: [], checks: [], sizeBytes: { before, after: before }, timings: {} };
  let clock = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    report.timings[name] = Math.round((report.timings[name] ?? 0) + now - clock);
    clock = now;
  };

  const recipe = options.recipe ?? presetRecipe(config.mode);
  if (recipe.mode !== config.mode) throw new QuantizeInputError(`Recipe '${recipe.name}' is for ${recipe.mode}, not ${config.mode}.`);
  report.recipe = recipe.name;
  const domains = new Map<string, NodeDomain>();
  let floatOps: FloatOp[] = [];
  const gptqSamples = weightRoundingFor(config) === 'gptq' ? options.samples : undefined;
  if (config.weightRounding === 'gptq' && !gptqSamples) throw new QuantizeInputError('--weight-rounding gptq needs calibration data (--calibration DIR|FILE.npy|FILE.npz).');
  /** gptq onto the int8 grid for the layers `include` picks (static and dynamic modes). */
  const compensateInt8 = (samples: NonNullable<QuantizeOptions['samples']>, include: (node: Node) => boolean) =>
    compensateIntegerWeights(mainGraph(floatGraph), graph, recipe, include, samples, {
      ...(signal ? { signal } : {}),
      onProgress: (done, total) => onProgress?.({ stage: 'quantize', fraction: (0.5 * done) / Math.max(total, 1), message: 'choosing int8 weights layer by layer' }),
    });

  if (config.mode === 'fp16') {
    if (gptqSamples) {
      onProgress?.({ stage: 'quantize', fraction: 0, message: 'choosing float16 weights layer by layer' });
      roundFloatConstantsToFp16(graph);
      const chosen = await compensateWeightRounding(mainGraph(floatGraph), graph, () => FP16_GRID, gptqSamples, {
        correctUpstream: true,
        ...(signal ? { signal } : {}),
        onProgress: (done, total) => onProgress?.({ stage: 'quantize', fraction: done / Math.max(total, 1), message: 'choosing float16 weights layer by layer' }),
      });
      report.weightRounding = { method: 'gptq', compensated: chosen.compensated.length, samples: chosen.samples, skipped: chosen.skipped };
    } else {
      report.weightRounding = { method: 'nearest', compensated: 0, samples: 0, skipped: [] };
    }
    onProgress?.({ stage: 'quantize', fraction: 1, message: 'storing constants as float16' });
    storeConstantsAsFp16(graph);
  } else if (config.mode === 'dynamic') {
    if (gptqSamples) report.weightRounding = await compensateInt8(gptqSamples, (node) => storesHybridWeights(graph, node, recipe));
    onProgress?.({ stage: 'quantize', fraction: 0, message: 'quantizing weights' });
    const result = quantizeDynamicWeights(graph, recipe);
    for (const name of result.hybrid) domains.set(name, 'hybrid');
    floatOps = result.floatOps;
  } else {
    onProgress?.({ stage: 'calibrate', fraction: 0, message: 'collecting activation ranges' });
    let statistics = options.statistics;
    lap('quantizeMs');
    if (!statistics && options.calibrate) statistics = await options.calibrate(floatGraph);
    lap('calibrateMs');
    if (!statistics) throw new QuantizeInputError(`--quantize ${config.mode} needs calibration data (--calibration DIR|FILE.npy|FILE.npz).`);
    stopIfCancelled();
    statistics = new Map([...statistics, ...preprocessInputRanges(graph, config), ...(options.inputRanges ?? [])]);
    onProgress?.({ stage: 'quantize', fraction: 0, message: 'computing params' });
    const planned = planStatic(graph, recipe, statistics);
    warnings.push(...planned.warnings);
    floatOps = planned.floatOps;
    if (config.int8Only && floatOps.length) {
      const list = floatOps.map((f) => `${f.node} (${f.op}: ${f.reason})`).join('; ');
      throw new QuantizeUnsupportedError(`--int8-only: ${floatOps.length} op(s) cannot be integer: ${list}.`);
    }
    if (gptqSamples) report.weightRounding = await compensateInt8(gptqSamples, (node) => planned.plan.domains.get(node.name) === 'integer');
    onProgress?.({ stage: 'quantize', fraction: 0.5, message: 'quantizing constants' });
    quantizeStaticConstants(graph, planned.plan, statistics, warnings);
    applyBoundaries(graph, planned.plan, config, statistics);
    for (const [k, v] of planned.plan.domains) domains.set(k, v);
    if (floatOps.length) warnings.push(`${floatOps.length} op(s) stay float with QUANTIZE/DEQUANTIZE around them: ${floatOps.map((f) => f.op).join(', ')}.`);
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
  stopIfCancelled();

  lap('quantizeMs');
  onProgress?.({ stage: 'validate', fraction: 0, message: 'checking the quantized graph' });
  report.checks = validateGraph(graph);
  const failed = report.checks.filter((c) => !c.passed);
  if (failed.length) throw new QuantizeValidationError(`Quantized graph failed checks: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}.`);
  report.floatOps = floatOps;
  report.layers = layerReports(mainGraph(floatGraph), graph, domains);
  report.sizeBytes.after = constantBytes(graph);
  if (options.validationInputs?.length) {
    const errors = await compareLayers(floatGraph, model, options.validationInputs, signal);
    report.outputs = errors.outputs;
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
