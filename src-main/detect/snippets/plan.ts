// What a board-side decoder needs to know, fixed at generation time from the model's output
// shapes and quantization: the head's layout (YOLOv8) or its levels (NanoDet), and how to
// dequantize each output.
import { inputSize } from '../decode';
import { nanodetLevels } from '../decoders/nanodet';
import { yoloLayout } from '../decoders/yolov8';
import { DetectInputError } from '../errors';
import type { BoxScale } from '../decoders/types';

export interface SnippetTensor {
  name: string;
  shape: number[];
  dtype: string;
  quant?: { scale: number; zeroPoint: number };
}

export interface DetectorSnippetSpec {
  decoder: 'yolov8' | 'nanodet';
  input: SnippetTensor;
  /** In the model's output order. */
  outputs: SnippetTensor[];
  scoreThreshold: number;
  iouThreshold: number;
  maxDetections: number;
  /** YOLOv8: the unit of the box coordinates in the output, as the evaluation found it (default pixels). */
  boxScale?: BoxScale;
}

/** What a YOLOv8 output's cx, cy, w, h are multiplied by to give input pixels. */
export function boxScaleFactors(spec: DetectorSnippetSpec): { sx: number; sy: number; text: string } {
  const { width, height } = inputSize(spec.input.shape);
  return spec.boxScale === 'normalized' ? { sx: width, sy: height, text: '0..1 of the input (scaled to pixels here)' } : { sx: 1, sy: 1, text: 'input pixels' };
}

export interface LevelPlan {
  scores: number;
  boxes: number;
  stride: number;
  gridWidth: number;
  classes: number;
  bins: number;
}

export type HeadPlan =
  | { kind: 'yolov8'; output: number; channels: number; count: number; channelsFirst: boolean }
  | { kind: 'nanodet'; classes: number; levels: LevelPlan[] };

export function headPlan(spec: DetectorSnippetSpec): HeadPlan {
  const { width, height } = inputSize(spec.input.shape);
  const shapes = spec.outputs.map((o) => ({ name: o.name, shape: o.shape, data: new Float32Array(0) }));
  if (spec.decoder === 'yolov8') {
    const layout = shapes.length === 1 ? yoloLayout(shapes[0]!.shape) : undefined;
    if (!layout) throw new DetectInputError(`A yolov8 snippet needs one output [1, 4+C, N] or [1, N, 4+C]; the model has ${shapes.length} output(s).`);
    return { kind: 'yolov8', output: 0, ...layout };
  }
  const levels = nanodetLevels(shapes, width, height);
  if (!levels) throw new DetectInputError(`A nanodet snippet needs score/box-bin output pairs per level; the outputs are ${spec.outputs.map((o) => `[${o.shape.join(',')}]`).join(' ')}.`);
  return {
    kind: 'nanodet',
    classes: levels[0]!.classes,
    levels: levels.map((l) => ({ scores: shapes.indexOf(l.scores as (typeof shapes)[number]), boxes: shapes.indexOf(l.boxes as (typeof shapes)[number]), stride: l.stride, gridWidth: l.gridWidth, classes: l.classes, bins: l.bins })),
  };
}
