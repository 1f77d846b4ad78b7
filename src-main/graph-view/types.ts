// The graph view's payload (types only, so the renderer can import them): a model's graph as the
// Graph view draws it. Bounded: constant data never crosses, per-channel quantization is
// summarised, options keep only short plain values.

/** Which graph of the model: as imported, or after the float conversion passes (what the .tflite holds). */
export type GraphStage = 'source' | 'converted';

export interface QuantSummary {
  /** Number of (scale, zero point) pairs: 1 per tensor, else one per channel. */
  count: number;
  /** Channel axis when per-channel. */
  axis?: number;
  scaleMin: number;
  scaleMax: number;
  /** The first few scales and zero points (all when per-tensor). */
  scale: number[];
  zeroPoint: number[];
}

export interface GraphViewTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** A constant (weights, bias, shape operand): its data is never sent. */
  constant: boolean;
  quant?: QuantSummary;
}

export interface GraphViewNode {
  name: string;
  op: string;
  /** Op options with plain values (numbers, strings, booleans, short arrays). */
  options: Record<string, string | number | boolean | number[] | string[]>;
  /** Tensor ids (index into `tensors`); null marks an omitted optional input. */
  inputs: (number | null)[];
  outputs: number[];
  /** The source layer's class (Keras/TF.js) when known. */
  source?: string;
}

export interface GraphView {
  path: string;
  format: string;
  stage: GraphStage;
  nodes: GraphViewNode[];
  tensors: GraphViewTensor[];
  inputs: number[];
  outputs: number[];
  /** Set when the graph had more nodes than the view sends (the rest are left out). */
  truncated?: { nodes: number };
  /** Why the requested stage could not be built (the passes failed): the source graph is sent instead. */
  note?: string;
}
