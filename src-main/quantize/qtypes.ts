// The quantizer's vocabulary: modes, algorithms, the per-tensor decisions of the params stage
// and the report. Every stage (recipe → params → transformations → validation) speaks these
// types; nothing here computes.
import type { DType, QuantParams } from '../graph/model-graph';
import type { OpType } from '../graph/ops';
import type { DetectorFindings } from './detector/findings';

// ── The request vocabulary: what a caller asks the quantizer for (plain data, replayable). ──
export type QuantizeMode = 'none' | 'fp16' | 'dynamic' | 'int8' | 'int16x8';
export type IoType = 'float32' | 'int8' | 'uint8' | 'int16';
export type PreprocessPreset = '0..1' | '-1..1' | '0..255' | 'imagenet' | 'caffe';
export type CalibrationMethod = 'minmax' | 'percentile' | 'mse';

export interface CalibrationSpec {
  /** A folder of images, a .npy (N samples) or a .npz (one array per input). */
  path: string;
  /** Preset name or a JSON file with mean/std/scale/channel order. */
  preprocess?: PreprocessPreset | string;
  samples: number;
  method: CalibrationMethod;
  seed: number;
  /** Share of the data (0..1) held out of calibration for validation (the app's default: 0.2). */
  holdOut?: number;
}

export interface QuantizeConfig {
  mode: QuantizeMode;
  inputType: IoType;
  outputType: IoType;
  /** Fail when an op cannot be integer instead of leaving it float. */
  int8Only: boolean;
  calibration?: CalibrationSpec;
  /** A JSON recipe file (schema: src-main/quantize/recipe.ts) used instead of the mode's preset. */
  recipe?: string;
  /** Nodes kept float32 (exact node/tensor names or /regex/), added as node rules to the recipe. */
  keepFloat?: string[];
  /**
   * How weights reach their stored type: `nearest` rounds each alone; `gptq` (needs calibration
   * data) picks them layer by layer so each layer's outputs on the data stay closest to float.
   * Default: `gptq` for fp16 when --calibration is given, else `nearest`.
   */
  weightRounding?: WeightRounding;
  /**
   * With nearest rounding to int8 (dynamic, int8, int16x8; needs calibration data): each layer's
   * bias absorbs its weights' rounding error times the mean input patch seen on the calibration
   * samples (quantize/rounding/bias-correction.ts). gptq corrects the bias itself. Default: on
   * where calibration samples are given (convert/weight-rounding.ts `biasCorrectionFor`).
   */
  biasCorrection?: boolean;
}

export type WeightRounding = 'nearest' | 'gptq';

// ── The recipe and the stages' hand-offs. ──

export const QUANT_MODES = ['fp16', 'dynamic', 'int8', 'int16x8'] as const;
export type QuantMode = (typeof QUANT_MODES)[number];

/** How a matched op is treated. `float` leaves the op (and its constants) untouched. */
export const ALGORITHMS = ['static', 'dynamic', 'fp16', 'float'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export type Granularity = 'tensor' | 'channel';

/** Storage type of a static node's activations: int8, or int16 (16x8 kernels, int8 weights). */
export type ActivationType = 'int8' | 'int16';

/**
 * What a rule may give its nodes, as users name it: `float32` (untouched), `fp16` (weights stored
 * float16 + DEQUANTIZE, float compute), `int16x8`, `int8` (static, weights as `weights` says).
 */
export const PRECISIONS = ['float32', 'fp16', 'int16x8', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

/**
 * One recipe rule. An op rule selects by op type (`ops`), a node rule by node or tensor name
 * (`nodes`: exact names, or `/regex/` matched against the whole name). Node rules win over op
 * rules; within each kind the first match wins. A node rule's missing `weights` /
 * `minWeightElements` come from the op rule that matches the node.
 */
export interface RecipeRule {
  readonly ops?: readonly (OpType | '*')[];
  readonly nodes?: readonly string[];
  readonly algorithm: Algorithm;
  /** `static` only: activation storage for these nodes (default: the recipe's `activations`). */
  readonly activations?: ActivationType;
  readonly weights?: { readonly granularity: Granularity; readonly axis?: number };
  /** Weights with fewer elements stay float (dynamic range keeps small kernels float). */
  readonly minWeightElements?: number;
}

/** The rule that applies to one node, with the recipe's defaults filled in. */
export interface ResolvedRule {
  readonly algorithm: Algorithm;
  readonly activations: ActivationType;
  readonly weights?: RecipeRule['weights'];
  readonly minWeightElements?: number;
  /** Which kind of rule decided the algorithm. */
  readonly by: 'node' | 'op' | 'none';
}

export interface Recipe {
  readonly name: string;
  readonly description: string;
  readonly mode: QuantMode;
  /** Storage type of activations for `static` ops (int8 or int16) unless a rule says otherwise. */
  readonly activations: ActivationType;
  /** Bias storage for `static` ops of the recipe's activation type (the other type: int32 for int8, int64 for int16). */
  readonly bias: 'int32' | 'int64';
  /**
   * Keep each weight channel's float min/max in the file (default true, as the TF 2.3–2.x
   * converters that made the mlperf-tiny files did; newer converters drop them: ~8 B per channel).
   */
  readonly recordWeightRanges?: boolean;
  /** Node rules first, then op rules, first match wins; a node no rule matches stays float. */
  readonly rules: readonly RecipeRule[];
}

/** Float range of a tensor seen during calibration (or declared by the preprocessing). */
export interface TensorRange {
  min: number;
  max: number;
}
export type Statistics = Map<string, TensorRange>;

/** The params stage's decision for one activation tensor of the integer part of the graph. */
export interface ActivationPlan {
  dtype: 'int8' | 'int16';
  quant: QuantParams;
  /** Why these params: observed range, fixed by the kernel, or shared with another tensor. */
  origin: 'range' | 'fixed' | 'shared';
}

/** How each node will run after quantization. */
export type NodeDomain = 'integer' | 'float' | 'hybrid';

export interface QuantPlan {
  recipe: Recipe;
  /** node name → domain */
  domains: Map<string, NodeDomain>;
  /** integer node name → the activation type its kernel runs at (mixed int8 / int16x8) */
  nodeTypes: Map<string, ActivationType>;
  /**
   * Integer params per activation tensor, keyed by `activationKey`: the tensor name for its
   * home type, `name#int16` / `name#int8` for a copy read at the other integer type.
   */
  activations: Map<string, ActivationPlan>;
  /** Integer type each planned tensor is stored at (its producer's, or its first reader's). */
  homes: Map<string, ActivationType>;
  /**
   * Reads that need a requantized copy at the same integer type: `node\u0000inputIndex` → the
   * activation key of the copy's params. A tensor with kernel-fixed params (a sigmoid's 1/256)
   * feeding an op whose inputs share one scale (CONCATENATION) is read through a QUANTIZE to the
   * shared scale instead of forcing its fixed scale on everything concatenated with it.
   */
  requantized: Map<string, string>;
}

export interface LayerReport {
  node: string;
  op: string;
  domain: NodeDomain;
  /** How the recipe stored the node: float32, fp16, int8, int16x8 (static) or dynamic (hybrid). */
  precision: Precision | 'dynamic';
  /** The recipe rule kind that decided it (a node rule overrides the op rules). */
  ruleBy: ResolvedRule['by'];
  /** SQNR (dB) of the stored weights against the float weights, when the node has weights. */
  weightSqnrDb?: number;
  weightDtype?: DType;
  /** SQNR (dB) of the node's output, quantized vs float graph (when validation inputs were given). */
  outputSqnrDb?: number;
}

export interface QuantizeReport {
  mode: QuantMode | 'none';
  recipe: string;
  floatOps: { node: string; op: string; reason: string }[];
  layers: LayerReport[];
  /** Checks the validation stage ran on the result (bias scales, dtypes, axes). */
  checks: { name: string; passed: boolean; detail?: string }[];
  sizeBytes: { before: number; after: number };
  /** Per graph output, quantized vs float (when validation inputs were given). */
  outputs?: { name: string; sqnrDb: number; maxAbsError: number }[];
  /** Wall time of the stages in ms: calibrateMs (the `calibrate` callback), quantizeMs, validateMs. */
  timings: Record<string, number>;
  /** A detector's head as calibration sees it: int8 levels per output group, DFL heads (quantize/detector/). */
  detector?: DetectorFindings;
  /** How weights were rounded; `gptq` lists the layers it chose and those left to nearest rounding. */
  weightRounding?: { method: 'nearest' | 'gptq'; compensated: number; samples: number; skipped: { node: string; reason: string }[] };
  /** `biasCorrection`: the layers whose bias absorbed the mean rounding error, over how many samples. */
  biasCorrection?: { corrected: number; samples: number; skipped: { node: string; reason: string }[] };
}
