// What a board-side decoder needs to know, fixed at generation time from the model's output
// shapes and quantization: the head's layout (YOLOv8) or its levels (NanoDet), and how to
// dequantize each output.
import { inputSize } from '../decode';
import { nanodetLevels } from '../decoders/nanodet';
import { matrixDims, yoloLayout } from '../decoders/yolov8';
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

/** Where a YOLOv8 head's boxes or scores are: which output, from which channel, of how many channels there. */
export interface ChannelSpan {
  output: number;
  first: number;
  channels: number;
}

export type HeadPlan =
  | { kind: 'yolov8'; boxes: ChannelSpan; scores: ChannelSpan; classes: number; count: number; channelsFirst: boolean }
  | { kind: 'nanodet'; classes: number; levels: LevelPlan[] };

/**
 * A head written by `--detector-fix split`: boxes [1, 4, N] then scores [1, C, N] (or [1, N, 4],
 * [1, N, C]), N the anchor count both share on the same axis.
 */
function splitYoloPlan(shapes: number[][]): HeadPlan | undefined {
  if (shapes.length !== 2) return undefined;
  const [b, s] = shapes.map(matrixDims);
  if (!b || !s) return undefined;
  for (const channelsFirst of [true, false]) {
    const [boxChannels, count] = channelsFirst ? b : [b[1]!, b[0]!];
    const [classes, scoreCount] = channelsFirst ? s : [s[1]!, s[0]!];
    if (boxChannels === 4 && count === scoreCount && count! > 4 && classes! >= 1) {
      return { kind: 'yolov8', boxes: { output: 0, first: 0, channels: 4 }, scores: { output: 1, first: 0, channels: classes! }, classes: classes!, count: count!, channelsFirst };
    }
  }
  return undefined;
}

/** The head's outputs in words, for the snippets' comments. */
export function yoloHeadText(plan: Extract<HeadPlan, { kind: 'yolov8' }>): string {
  const [joined, boxes, scores] = plan.channelsFirst ? ['[1, 4+C, N]', '[1, 4, N]', '[1, C, N]'] : ['[1, N, 4+C]', '[1, N, 4]', '[1, N, C]'];
  return plan.boxes.output === plan.scores.output ? `one output ${joined}` : `boxes ${boxes} and scores ${scores} as two outputs`;
}

export function headPlan(spec: DetectorSnippetSpec): HeadPlan {
  const { width, height } = inputSize(spec.input.shape);
  const shapes = spec.outputs.map((o) => ({ name: o.name, shape: o.shape, data: new Float32Array(0) }));
  if (spec.decoder === 'yolov8') {
    const layout = shapes.length === 1 ? yoloLayout(shapes[0]!.shape) : undefined;
    if (layout) {
      const { channels, count, channelsFirst } = layout;
      return { kind: 'yolov8', boxes: { output: 0, first: 0, channels }, scores: { output: 0, first: 4, channels }, classes: channels - 4, count, channelsFirst };
    }
    const split = splitYoloPlan(shapes.map((o) => o.shape));
    if (!split) throw new DetectInputError(`A yolov8 snippet needs one output [1, 4+C, N] (or [1, N, 4+C]), or boxes [1, 4, N] and scores [1, C, N] as split outputs; the model gives ${spec.outputs.map((o) => `[${o.shape.join(',')}]`).join(' ')}.`);
    return split;
  }
  const levels = nanodetLevels(shapes, width, height);
  if (!levels) throw new DetectInputError(`A nanodet snippet needs score/box-bin output pairs per level; the outputs are ${spec.outputs.map((o) => `[${o.shape.join(',')}]`).join(' ')}.`);
  return {
    kind: 'nanodet',
    classes: levels[0]!.classes,
    levels: levels.map((l) => ({ scores: shapes.indexOf(l.scores as (typeof shapes)[number]), boxes: shapes.indexOf(l.boxes as (typeof shapes)[number]), stride: l.stride, gridWidth: l.gridWidth, classes: l.classes, bins: l.bins })),
  };
}
