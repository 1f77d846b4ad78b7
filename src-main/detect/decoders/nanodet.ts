// NanoDet (GFL head): per level, class scores [1, N, C] (already sigmoid) and a distribution
// box regression [1, N, 4·(R+1)]: for each side (left, top, right, bottom) R+1 bin logits whose
// softmax expectation times the level's stride is the distance from the cell centre in pixels.
// The stride and grid follow from N and the input size (N = (H/s)·(W/s)); cells are row-major.
import type { Detection } from '../boxes';
import { DetectInputError } from '../errors';
import { shapeText, type DecodeContext, type RawOutput } from './types';

export interface NanodetLevel {
  scores: RawOutput;
  boxes: RawOutput;
  stride: number;
  gridWidth: number;
  classes: number;
  /** Bins per side (reg_max + 1). */
  bins: number;
}

const rows = (o: RawOutput) => (o.shape.length === 3 && o.shape[0] === 1 ? o.shape[1]! : -1);
const cols = (o: RawOutput) => o.shape[o.shape.length - 1]!;

/** Pairs outputs by N into levels; undefined when the outputs are not NanoDet-shaped. */
export function nanodetLevels(outputs: RawOutput[], inputWidth: number, inputHeight: number): NanodetLevel[] | undefined {
  if (outputs.length < 2 || outputs.length % 2 !== 0 || outputs.some((o) => rows(o) <= 0)) return undefined;
  const byCount = new Map<number, RawOutput[]>();
  for (const o of outputs) byCount.set(rows(o), [...(byCount.get(rows(o)) ?? []), o]);
  const levels: NanodetLevel[] = [];
  for (const [n, pair] of byCount) {
    if (pair.length !== 2) return undefined;
    // The box head has 4·(R+1) columns and is the narrower of the two (44 vs 80 for COCO).
    const [boxes, scores] = cols(pair[0]!) < cols(pair[1]!) ? [pair[0]!, pair[1]!] : [pair[1]!, pair[0]!];
    if (cols(boxes) === cols(scores) || cols(boxes) % 4 !== 0 || cols(boxes) < 8) return undefined;
    const stride = Math.round(Math.sqrt((inputWidth * inputHeight) / n));
    const gridWidth = Math.ceil(inputWidth / stride);
    if (gridWidth * Math.ceil(inputHeight / stride) !== n) return undefined;
    levels.push({ scores, boxes, stride, gridWidth, classes: cols(scores), bins: cols(boxes) / 4 });
  }
  return levels.sort((a, b) => a.stride - b.stride);
}

/** Softmax expectation of one side's bins (values 0..R). */
function expectation(data: Float32Array, offset: number, bins: number): number {
  let max = -Infinity;
  for (let k = 0; k < bins; k++) max = Math.max(max, data[offset + k]!);
  let sum = 0, weighted = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp(data[offset + k]! - max);
    sum += e;
    weighted += e * k;
  }
  return weighted / sum;
}

export function decodeNanodet(outputs: RawOutput[], context: DecodeContext): Detection[] {
  const levels = nanodetLevels(outputs, context.inputWidth, context.inputHeight);
  if (!levels) throw new DetectInputError(`nanodet decoder expects pairs of outputs [1, N, C] scores and [1, N, 4·(R+1)] box bins per level, N = (H/stride)·(W/stride) for the ${context.inputWidth}×${context.inputHeight} input; the model gives ${shapeText(outputs)}.`);
  const found: Detection[] = [];
  for (const level of levels) {
    const { classes, bins, stride, gridWidth } = level;
    const scores = level.scores.data, boxes = level.boxes.data;
    const n = scores.length / classes;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (scores[i * classes + c]! > scores[i * classes + best]!) best = c;
      const score = scores[i * classes + best]!;
      if (score < context.scoreThreshold) continue;
      const cx = ((i % gridWidth) + 0.5) * stride;
      const cy = (Math.floor(i / gridWidth) + 0.5) * stride;
      const side = (s: number) => expectation(boxes, (i * 4 + s) * bins, bins) * stride;
      found.push({ x1: cx - side(0), y1: cy - side(1), x2: cx + side(2), y2: cy + side(3), score, classId: best });
    }
  }
  return found;
}
