// YOLOv8 head: one output [1, 4+C, N] (ultralytics export) or [1, N, 4+C]; per anchor point
// cx, cy, w, h in input pixels, then C class scores already through a sigmoid. Anchor-free:
// strides are baked into the boxes, so nothing about the grid is needed here.
import type { Detection } from '../boxes';
import { DetectInputError } from '../errors';
import { shapeText, type DecodeContext, type RawOutput } from './types';

export interface YoloLayout {
  /** 4 box values + class count. */
  channels: number;
  /** Anchor points. */
  count: number;
  /** True for [1, 4+C, N]: channel c of point i is at c * N + i. */
  channelsFirst: boolean;
}

/** The layout of a YOLOv8 output; the smaller of the two last dims is 4+C. */
export function yoloLayout(shape: number[]): YoloLayout | undefined {
  const dims = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape.length === 2 ? shape : undefined;
  if (!dims) return undefined;
  const [a, b] = dims as [number, number];
  const channelsFirst = a <= b;
  const channels = channelsFirst ? a : b;
  if (channels < 5) return undefined;
  return { channels, count: channelsFirst ? b : a, channelsFirst };
}

export function decodeYolov8(outputs: RawOutput[], context: DecodeContext): Detection[] {
  const layout = outputs.length === 1 ? yoloLayout(outputs[0]!.shape) : undefined;
  if (!layout) throw new DetectInputError(`yolov8 decoder expects one output [1, 4+C, N] or [1, N, 4+C]; the model gives ${shapeText(outputs)}.`);
  const { data } = outputs[0]!;
  const { channels, count, channelsFirst } = layout;
  const at = channelsFirst ? (i: number, c: number) => data[c * count + i]! : (i: number, c: number) => data[i * channels + c]!;
  const found: Detection[] = [];
  for (let i = 0; i < count; i++) {
    let best = 4;
    for (let c = 5; c < channels; c++) if (at(i, c) > at(i, best)) best = c;
    const score = at(i, best);
    if (score < context.scoreThreshold) continue;
    const cx = at(i, 0), cy = at(i, 1), w = at(i, 2), h = at(i, 3);
    found.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: best - 4 });
  }
  return found;
}
