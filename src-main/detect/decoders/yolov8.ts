// YOLOv8 head: one output [1, 4+C, N] (ultralytics export) or [1, N, 4+C]; per anchor point
// cx, cy, w, h in input pixels (or 0..1 of the input: ultralytics' TFLite export normalises
// them), then C class scores already through a sigmoid. Anchor-free: strides are baked into
// the boxes, so nothing about the grid is needed here.
import type { Detection } from '../boxes';
import { DetectInputError } from '../errors';
import { shapeText, type BoxScale, type DecodeContext, type RawOutput } from './types';

export interface YoloLayout {
  /** 4 box values + class count. */
  channels: number;
  /** Anchor points. */
  count: number;
  /** True for [1, 4+C, N]: channel c of point i is at c * N + i. */
  channelsFirst: boolean;
}

/** [a, b] of a [1, a, b] or [a, b] output (a YOLO head's channels and anchors, in either order). */
export function matrixDims(shape: number[]): [number, number] | undefined {
  return shape.length === 3 && shape[0] === 1 ? [shape[1]!, shape[2]!] : shape.length === 2 ? [shape[0]!, shape[1]!] : undefined;
}

/** The layout of a YOLOv8 output; the smaller of the two last dims is 4+C. */
export function yoloLayout(shape: number[]): YoloLayout | undefined {
  const dims = matrixDims(shape);
  if (!dims) return undefined;
  const [a, b] = dims as [number, number];
  const channelsFirst = a <= b;
  const channels = channelsFirst ? a : b;
  if (channels < 5) return undefined;
  return { channels, count: channelsFirst ? b : a, channelsFirst };
}

/** Box centres of normalised exports stay near [0, 1]; pixel centres spread over the input. */
const NORMALIZED_CENTRE_LIMIT = 2;

function layoutOf(outputs: RawOutput[]): YoloLayout {
  const layout = outputs.length === 1 ? yoloLayout(outputs[0]!.shape) : undefined;
  if (!layout) throw new DetectInputError(`yolov8 decoder expects one output [1, 4+C, N] or [1, N, 4+C]; the model gives ${shapeText(outputs)}.`);
  return layout;
}

function reader(data: Float32Array, { channels, count, channelsFirst }: YoloLayout): (i: number, c: number) => number {
  return channelsFirst ? (i, c) => data[c * count + i]! : (i, c) => data[i * channels + c]!;
}

/**
 * Pixels or 0..1, told from the values: the anchor grid covers the whole input, so a pixel
 * export has box centres up to about the input size whatever the image, a normalised one ≤ 1.
 */
export function yoloBoxScale(outputs: RawOutput[], context: Pick<DecodeContext, 'inputWidth' | 'inputHeight'>): BoxScale {
  const layout = layoutOf(outputs);
  const at = reader(outputs[0]!.data, layout);
  let largest = 0;
  for (let i = 0; i < layout.count; i++) largest = Math.max(largest, Math.abs(at(i, 0)), Math.abs(at(i, 1)));
  const tiny = Math.min(context.inputWidth, context.inputHeight) <= NORMALIZED_CENTRE_LIMIT;
  return !tiny && largest <= NORMALIZED_CENTRE_LIMIT ? 'normalized' : 'pixels';
}

export function decodeYolov8(outputs: RawOutput[], context: DecodeContext): Detection[] {
  const layout = layoutOf(outputs);
  const { channels, count } = layout;
  const at = reader(outputs[0]!.data, layout);
  const normalized = (context.boxScale ?? yoloBoxScale(outputs, context)) === 'normalized';
  const sx = normalized ? context.inputWidth : 1;
  const sy = normalized ? context.inputHeight : 1;
  const found: Detection[] = [];
  for (let i = 0; i < count; i++) {
    let best = 4;
    for (let c = 5; c < channels; c++) if (at(i, c) > at(i, best)) best = c;
    const score = at(i, best);
    if (score < context.scoreThreshold) continue;
    const cx = at(i, 0) * sx, cy = at(i, 1) * sy, w = at(i, 2) * sx, h = at(i, 3) * sy;
    found.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: best - 4 });
  }
  return found;
}
