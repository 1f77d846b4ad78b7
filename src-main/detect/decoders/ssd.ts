// SSD-style outputs whose boxes are already decoded (TFLite_Detection_PostProcess and
// exports like it): boxes [1, N, 4] as ymin, xmin, ymax, xmax normalised to 0..1, with either
// per-class scores [1, N, C] or scores [1, N] + class ids [1, N] (+ a count [1] that is ignored:
// the score threshold drops the padding rows).
import type { Detection } from '../boxes';
import { DetectInputError } from '../errors';
import { shapeText, type DecodeContext, type RawOutput } from './types';

export interface SsdOutputs {
  boxes: RawOutput;
  /** [1, N, C] per-class scores, or [1, N] best scores with `classIds`. */
  scores: RawOutput;
  classIds?: RawOutput;
}

const size = (o: RawOutput) => o.shape.reduce((a, b) => a * b, 1);

export function ssdOutputs(outputs: RawOutput[]): SsdOutputs | undefined {
  const boxes = outputs.find((o) => o.shape.length === 3 && o.shape[0] === 1 && o.shape[2] === 4);
  if (!boxes) return undefined;
  const n = boxes.shape[1]!;
  const rest = outputs.filter((o) => o !== boxes && size(o) > 1);
  const perClass = rest.filter((o) => o.shape.length === 3 && o.shape[1] === n);
  if (perClass.length === 1 && rest.length === 1) return { boxes, scores: perClass[0]! };
  const flat = rest.filter((o) => o.shape.length === 2 && o.shape[1] === n);
  if (flat.length !== 2 || rest.length !== 2) return undefined;
  // Class ids are whole numbers; scores are fractions in 0..1.
  const whole = (o: RawOutput) => o.data.every((v) => Number.isInteger(v));
  const [a, b] = flat as [RawOutput, RawOutput];
  return whole(a) && !whole(b) ? { boxes, scores: b, classIds: a } : { boxes, scores: a, classIds: b };
}

export function decodeSsd(outputs: RawOutput[], context: DecodeContext): Detection[] {
  const parts = ssdOutputs(outputs);
  if (!parts) throw new DetectInputError(`ssd decoder expects boxes [1, N, 4] with scores [1, N, C], or with scores [1, N] and classes [1, N]; the model gives ${shapeText(outputs)}.`);
  const { boxes, scores, classIds } = parts;
  const n = boxes.shape[1]!;
  const classes = classIds ? 1 : scores.shape[2]!;
  const found: Detection[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores.data[i * classes + c]! > scores.data[i * classes + best]!) best = c;
    const score = scores.data[i * classes + best]!;
    if (score < context.scoreThreshold) continue;
    const b = boxes.data.subarray(i * 4, i * 4 + 4);
    found.push({
      x1: b[1]! * context.inputWidth,
      y1: b[0]! * context.inputHeight,
      x2: b[3]! * context.inputWidth,
      y2: b[2]! * context.inputHeight,
      score,
      classId: classIds ? Math.round(classIds.data[i]!) : best,
    });
  }
  return found;
}
