// The transformation stage of each registry entry (algorithms.ts): what the quantizer runs for
// the nodes whose rule names that algorithm. Each stage reads and writes the shared context.
import type { ConvertProgress } from '../convert/types';
import { CancelledError } from '../errors';
import { mainGraph, type Graph, type ModelGraph, type Node } from '../graph/model-graph';
import type { GraphInputs } from '../graph/execute';
import type { TransformationId } from './algorithms';
import { detectorCheck } from './detector/check';
import { QuantizeInputError, QuantizeUnsupportedError } from './errors';
import { planStatic, type FloatOp } from './params';
import type { NodeDomain, QuantizeConfig, QuantizeReport, Recipe, Statistics, TensorRange } from './qtypes';
import { ruleFor } from './recipe';
import type { GptqTap } from './rounding/calibration-tap';
import { compensateWeightRounding } from './rounding/compensate';
import { compensateIntegerWeights } from './rounding/integer-weights';
import { correctableLayers, correctBiases, type BiasCorrectionTarget, type MeanPatches } from './rounding/bias-correction';
import { measureMeanPatches } from './rounding/input-means';
import { opFacts } from './op-facts';
import { compensableLayer, type CompensableLayer } from './rounding/layer-inputs';
import { applyBoundaries } from './transformations/boundaries';
import { quantizeDynamicWeights, storesHybridWeights } from './transformations/dynamic-weights';
import { FP16_GRID, roundFloatConstantsToFp16, storeConstantsAsFp16 } from './transformations/fp16-constants';
import { quantizeStaticConstants } from './transformations/static-constants';

export interface StageContext {
  readonly graph: Graph;
  /** The float graph (FP16 / int8 source constants already expanded) for calibration and rounding. */
  readonly floatModel: ModelGraph;
  readonly config: QuantizeConfig;
  readonly recipe: Recipe;
  /** Names of the source's nodes (converters a stage inserts are not subject to the rules). */
  readonly sourceNodes: ReadonlySet<string>;
  readonly statistics?: Statistics;
  readonly calibrate?: (model: ModelGraph, gptq?: GptqTap) => Promise<Statistics>;
  readonly inputRanges: Map<string, TensorRange>;
  /** Calibration samples for gptq rounding, when the config asks for it. */
  readonly gptqSamples?: () => AsyncIterable<GraphInputs>;
  /** Bias correction after nearest int8 rounding (asked for, or on by default). */
  readonly biasCorrection?: boolean;
  /** Calibration samples for bias correction's own pass, where calibration's pass did not measure the means. */
  readonly biasSamples?: () => AsyncIterable<GraphInputs>;
  /** Mean input patches an earlier pass summed (QuantizeOptions.biasMeans), used where they cover every corrected layer. */
  readonly biasMeans?: MeanPatches;
  /** Compute workers for the one-pass gptq statistics. */
  readonly workers?: number;
  readonly onProgress?: (progress: ConvertProgress) => void;
  readonly signal?: AbortSignal;
  readonly report: QuantizeReport;
  readonly warnings: string[];
  readonly domains: Map<string, NodeDomain>;
  floatOps: FloatOp[];
  lap(name: string): void;
}

type Stage = (ctx: StageContext) => Promise<void>;

const algorithmOf = (ctx: StageContext, node: Node) => (ctx.sourceNodes.has(node.name) ? ruleFor(ctx.recipe, node).algorithm : undefined);

/** gptq onto the int8 grid for the layers `include` picks (static and dynamic); `tapped`: sums calibration's pass already gathered. */
function compensateInt8(ctx: StageContext, include: (node: Node) => boolean, tapped?: GptqTap) {
  return compensateIntegerWeights(mainGraph(ctx.floatModel), ctx.graph, ctx.recipe, include, ctx.gptqSamples!, {
    ...(tapped ? { tapped } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.workers ? { workers: ctx.workers } : {}),
    onProgress: (done, total) => ctx.onProgress?.({ stage: 'quantize', fraction: (0.5 * done) / Math.max(total, 1), message: 'choosing int8 weights layer by layer' }),
  });
}

/** The per-channel axis a weight rule stores a node's int8 weights with (undefined: per tensor). */
function weightAxis(ctx: StageContext, node: Node): number | undefined {
  const rule = ruleFor(ctx.recipe, node);
  return rule.weights?.granularity === 'channel' ? (rule.weights.axis ?? opFacts(node.op)?.weights?.channelAxis) : undefined;
}

/**
 * Bias correction for the nodes `include` picks, before their weights are rounded to nearest:
 * the mean layer inputs from calibration's pass (`tapped`) or an earlier one (`biasMeans`), else
 * from a pass of its own. Without any (no samples) it does not run, unless the config asked for it.
 */
async function correctInt8Biases(ctx: StageContext, include: (node: Node) => boolean, tapped?: MeanPatches): Promise<void> {
  const targets: BiasCorrectionTarget[] = ctx.graph.nodes.filter((n) => opFacts(n.op)?.weights && include(n)).map((node) => ({ node, axis: weightAxis(ctx, node) }));
  // An earlier pass's means serve when they have every layer this run corrects (else a layer would go uncorrected).
  const earlier = ctx.biasMeans && correctableLayers(ctx.graph, targets.map((t) => t.node)).layers.every((l) => ctx.biasMeans!.layers.includes(l.node.name)) ? ctx.biasMeans : undefined;
  let means = tapped ?? earlier;
  if (!means) {
    if (!ctx.biasSamples) {
      if (ctx.config.biasCorrection) throw new QuantizeInputError('--bias-correction needs calibration data (--calibration DIR|FILE.npy|FILE.npz).');
      return;
    }
    ctx.onProgress?.({ stage: 'quantize', fraction: 0.25, message: 'measuring mean layer inputs for bias correction' });
    means = await measureMeanPatches(mainGraph(ctx.floatModel), correctableLayers(ctx.graph, targets.map((t) => t.node)).layers, ctx.biasSamples, { ...(ctx.signal ? { signal: ctx.signal } : {}) });
  }
  const result = correctBiases(ctx.graph, targets, means);
  const before = ctx.report.biasCorrection;
  ctx.report.biasCorrection = {
    corrected: (before?.corrected ?? 0) + result.corrected.length,
    samples: Math.max(before?.samples ?? 0, result.samples),
    skipped: [...(before?.skipped ?? []), ...result.skipped],
  };
}

/**
 * The layers int8 gptq may round (the recipe's static linear layers), for calibration's pass to
 * sum their statistics too: the plan, made after calibration, may keep a few float.
 */
function staticLayersTap(ctx: StageContext): GptqTap {
  const candidates = ctx.graph.nodes.filter((node) => algorithmOf(ctx, node) === 'static');
  const layers = ctx.gptqSamples
    ? candidates.map((node) => compensableLayer(ctx.graph, node)).filter((layer): layer is CompensableLayer => typeof layer !== 'string')
    : [];
  // Bias correction's mean input patches, summed in the same pass.
  const means = ctx.biasCorrection ? correctableLayers(ctx.graph, candidates.filter((node) => opFacts(node.op)?.weights)).layers : undefined;
  return { target: ctx.graph, layers, ...(means ? { means } : {}) };
}

const staticInteger: Stage = async (ctx) => {
  const { graph, config, onProgress } = ctx;
  onProgress?.({ stage: 'calibrate', fraction: 0, message: 'collecting activation ranges' });
  let statistics = ctx.statistics;
  ctx.lap('quantizeMs');
  const tap = (ctx.gptqSamples || ctx.biasCorrection) && !statistics && ctx.calibrate ? staticLayersTap(ctx) : undefined;
  if (!statistics && ctx.calibrate) statistics = await ctx.calibrate(ctx.floatModel, tap);
  ctx.lap('calibrateMs');
  if (!statistics) throw new QuantizeInputError(`--quantize ${config.mode} needs calibration data (--calibration DIR|FILE.npy|FILE.npz).`);
  if (ctx.signal?.aborted) throw new CancelledError('Quantization cancelled.');
  statistics = new Map([...statistics, ...ctx.inputRanges]);
  onProgress?.({ stage: 'quantize', fraction: 0, message: 'computing params' });
  const planned = planStatic(graph, ctx.recipe, statistics);
  ctx.warnings.push(...planned.warnings);
  ctx.floatOps = planned.floatOps;
  // Detectors: a concatenated output whose groups starve at one int8 scale, a DFL head.
  const isInt8 = (node: string) => planned.plan.domains.get(node) === 'integer' && planned.plan.nodeTypes.get(node) === 'int8';
  const detector = detectorCheck(ctx.floatModel, statistics, isInt8);
  if (detector) {
    ctx.report.detector = detector.findings;
    ctx.warnings.push(...detector.warnings);
  }
  // --int8-only refuses ops that cannot be integer, not the ones the recipe keeps float on purpose.
  const forced = planned.floatOps.filter((f) => ruleFor(ctx.recipe, graph.nodes.find((n) => n.name === f.node)!).algorithm === 'static');
  if (config.int8Only && forced.length) {
    const list = forced.map((f) => `${f.node} (${f.op}: ${f.reason})`).join('; ');
    throw new QuantizeUnsupportedError(`--int8-only: ${forced.length} op(s) cannot be integer: ${list}.`);
  }
  if (ctx.gptqSamples) ctx.report.weightRounding = await compensateInt8(ctx, (node) => planned.plan.domains.get(node.name) === 'integer', tap);
  if (ctx.biasCorrection) await correctInt8Biases(ctx, (node) => planned.plan.domains.get(node.name) === 'integer', tap?.meanSums);
  onProgress?.({ stage: 'quantize', fraction: 0.5, message: 'quantizing constants' });
  quantizeStaticConstants(graph, planned.plan, statistics, ctx.warnings);
  applyBoundaries(graph, planned.plan, config, statistics);
  for (const [k, v] of planned.plan.domains) ctx.domains.set(k, v);
  if (planned.floatOps.length) ctx.warnings.push(`${planned.floatOps.length} op(s) stay float with QUANTIZE/DEQUANTIZE around them: ${planned.floatOps.map((f) => f.op).join(', ')}.`);
};

const dynamicWeights: Stage = async (ctx) => {
  const { graph, recipe } = ctx;
  const alone = !recipe.rules.some((r) => r.algorithm === 'static');
  if (ctx.gptqSamples && alone) ctx.report.weightRounding = await compensateInt8(ctx, (node) => storesHybridWeights(graph, node, recipe));
  if (ctx.biasCorrection) await correctInt8Biases(ctx, (node) => storesHybridWeights(graph, node, recipe));
  ctx.onProgress?.({ stage: 'quantize', fraction: 0, message: 'quantizing weights' });
  const result = quantizeDynamicWeights(graph, recipe);
  for (const name of result.hybrid) ctx.domains.set(name, 'hybrid');
  if (alone) ctx.floatOps = result.floatOps;
};

const fp16Constants: Stage = async (ctx) => {
  const { graph, onProgress } = ctx;
  const include = (node: Node): boolean => algorithmOf(ctx, node) === 'fp16';
  // gptq for float16 folds each layer's error into the next ones: only when every node is fp16.
  const allFp16 = graph.nodes.every((n) => !ctx.sourceNodes.has(n.name) || include(n));
  if (ctx.gptqSamples && allFp16) {
    onProgress?.({ stage: 'quantize', fraction: 0, message: 'choosing float16 weights layer by layer' });
    roundFloatConstantsToFp16(graph);
    const chosen = await compensateWeightRounding(mainGraph(ctx.floatModel), graph, () => FP16_GRID, ctx.gptqSamples, {
      correctUpstream: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (done, total) => onProgress?.({ stage: 'quantize', fraction: done / Math.max(total, 1), message: 'choosing float16 weights layer by layer' }),
    });
    ctx.report.weightRounding = { method: 'gptq', compensated: chosen.compensated.length, samples: chosen.samples, skipped: chosen.skipped };
  } else if (!ctx.report.weightRounding) {
    if (ctx.gptqSamples && ctx.config.mode === 'fp16') ctx.warnings.push('gptq rounding for float16 needs every node in fp16; the recipe keeps some float32, so float16 weights were rounded to nearest.');
    ctx.report.weightRounding = { method: 'nearest', compensated: 0, samples: 0, skipped: [] };
  }
  onProgress?.({ stage: 'quantize', fraction: 1, message: 'storing constants as float16' });
  storeConstantsAsFp16(graph, include);
};

/** The implementation of each transformation the registry names. */
export const STAGES: Readonly<Record<TransformationId, Stage>> = Object.freeze({
  'static-integer': staticInteger,
  'dynamic-weights': dynamicWeights,
  'fp16-constants': fp16Constants,
  none: async () => undefined,
});
