// The quantizer's vocabulary: modes, algorithms, the per-tensor decisions of the params stage
// and the report. Every stage (recipe → params → transformations → validation) speaks these
// types; nothing here computes.
import type { DType, QuantParams } from '../graph/model-graph';
import type { OpType } from '../graph/ops';

export const QUANT_MODES = ['fp16', 'dynamic', 'int8', 'int16x8'] as const;
export type QuantMode = (typeof QUANT_MODES)[number];

/** How a matched op is treated. `float` leaves the op (and its constants) untouched. */
export const ALGORITHMS = ['static', 'dynamic', 'fp16', 'float'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export type Granularity = 'tensor' | 'channel';

/** One recipe rule: which ops, which algorithm, how to store their weights. */
export interface RecipeRule {
  readonly ops: readonly (OpType | '*')[];
  readonly algorithm: Algorithm;
  readonly weights?: { readonly granularity: Granularity; readonly axis?: number };
  /** Weights with fewer elements stay float (dynamic range keeps small kernels float). */
  readonly minWeightElements?: number;
}

export interface Recipe {
  readonly name: string;
  readonly description: string;
  readonly mode: QuantMode;
  /** Storage type of activations for `static` ops (int8 or int16). */
  readonly activations: 'int8' | 'int16';
  /** Bias storage for `static` ops whose kernels take an integer bias. */
  readonly bias: 'int32' | 'int64';
  /**
   * Keep each weight channel's float min/max in the file (default true, as the TF 2.3–2.x
   * converters that made the mlperf-tiny files did; newer converters drop them: ~8 B per channel).
   */
  readonly recordWeightRanges?: boolean;
  /** First matching rule wins; an op no rule matches stays float. */
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
  /** activation tensor name → integer params (only tensors touched by integer nodes) */
  activations: Map<string, ActivationPlan>;
}

export interface LayerReport {
  node: string;
  op: string;
  domain: NodeDomain;
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
  /** How weights were rounded; `gptq` lists the layers it chose and those left to nearest rounding. */
  weightRounding?: { method: 'nearest' | 'gptq'; compensated: number; samples: number; skipped: { node: string; reason: string }[] };
}
