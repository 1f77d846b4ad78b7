// The quantization debugger's vocabulary: per-layer error rows (accumulated and isolated),
// weight statistics, sensitivity and the report that holds them. Nothing here computes.
import type { TensorErrorDetail } from '../validation/tensor-error';

/** Error of one tensor, quantized vs float, pooled over the samples (validation/tensor-error.ts). */
export type TensorError = TensorErrorDetail;

/** Statistics of a layer's stored weights, per output channel. */
export interface WeightStats {
  channels: number;
  /** Largest channel range over the median channel range (per-channel spread). */
  rangeSpread: number;
  /** Channels whose range exceeds 10× the median, largest first (at most 5). */
  outlierChannels: { channel: number; ratio: number }[];
  /** SQNR of the stored weights against the float weights. */
  sqnrDb: number;
  granularity: 'tensor' | 'channel';
}

export interface LayerDebugRow {
  node: string;
  op: string;
  /** The tensor compared (the layer's first output, in the quantized file). */
  tensor: string;
  /** The same tensor in the float model: the name a recipe's node rule (e.g. --keep-float) selects. */
  floatTensor: string;
  dtype: string;
  scale?: number;
  zeroPoint?: number;
  /** Whole model quantized: error carried in from the layers before, plus this one's. */
  accumulated?: TensorError;
  /** Only this layer quantized (its inputs, weights and output on their grids), the rest float. */
  isolated?: TensorError;
  weights?: WeightStats;
  /** Output metric change when only this layer is quantized / when only this layer is kept float. */
  sensitivity?: { aloneQuantizedDb: number; aloneFloatDb: number };
  /** Plain-language reasons the layer is hard, worst first. */
  reasons: string[];
}

export type DebugEngine = 'tflite-node' | 'ir-interpreter';

export interface DebugReport {
  /** Where each kind of figure was computed: a real TFLite runtime where it can observe the tensors, else the IR interpreter. */
  engines: { accumulated: DebugEngine; isolated: DebugEngine; sensitivity: DebugEngine };
  engineNote: string;
  samples: number;
  data: string;
  /** The model-level metric the sensitivity uses: the mean SQNR over the graph outputs. */
  outputs: { name: string; sqnrDb: number }[];
  layers: LayerDebugRow[];
  /** Node names, most harmful first (by sensitivity when measured, else by isolated SQNR). */
  ranking: string[];
  timings: Record<string, number>;
  /** Compute workers the per-layer passes were split across (1: one thread); the figures do not depend on it. */
  workers?: number;
  warnings: string[];
}
