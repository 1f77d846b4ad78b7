// Test helpers: write known boxes into raw head outputs the way YOLOv8 and NanoDet heads lay
// them out, so decoding them must give the boxes back.
import type { Detection, RawOutput } from '../../src-main/detect/index';

/** YOLOv8 [1, 4+C, N] (channelsFirst) or [1, N, 4+C]; box k sits at anchor `at[k]`, others score 0. */
export function encodeYolov8(boxes: Detection[], at: number[], classes: number, count: number, channelsFirst: boolean): RawOutput {
  const channels = 4 + classes;
  const data = new Float32Array(channels * count);
  const put = (i: number, c: number, v: number) => (data[channelsFirst ? c * count + i : i * channels + c] = v);
  boxes.forEach((b, k) => {
    const i = at[k]!;
    [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2, b.x2 - b.x1, b.y2 - b.y1].forEach((v, c) => put(i, c, v));
    put(i, 4 + b.classId, b.score);
    // A weaker second class must not win.
    put(i, 4 + ((b.classId + 1) % classes), b.score / 2);
  });
  return { shape: channelsFirst ? [1, channels, count] : [1, count, channels], data };
}

/** Logits whose softmax expectation over 0..bins-1 is `d`: two neighbouring bins share the mass. */
function binLogits(d: number, bins: number): number[] {
  const lo = Math.floor(d), frac = d - lo;
  return Array.from({ length: bins }, (_, k) => (k === lo ? Math.log(1 - frac + 1e-30) : k === lo + 1 ? Math.log(frac + 1e-30) : -80));
}

export interface NanodetBox {
  box: Detection;
  /** Level index (strides 8, 16, 32) and cell within it. */
  level: number;
  cell: number;
}

/** NanoDet levels for a square input of `size`: per level scores [1, N, C] then bins [1, N, 4·bins]. */
export function encodeNanodet(items: NanodetBox[], size: number, classes: number, bins: number, strides = [8, 16, 32]): RawOutput[] {
  const outs = strides.flatMap((s) => {
    const n = (size / s) ** 2;
    return [{ shape: [1, n, classes], data: new Float32Array(n * classes) }, { shape: [1, n, 4 * bins], data: new Float32Array(n * 4 * bins).fill(-80) }];
  });
  for (const { box, level, cell } of items) {
    const s = strides[level]!, grid = size / s;
    const cx = ((cell % grid) + 0.5) * s, cy = (Math.floor(cell / grid) + 0.5) * s;
    outs[level * 2]!.data[cell * classes + box.classId] = box.score;
    [cx - box.x1, cy - box.y1, box.x2 - cx, box.y2 - cy].forEach((dist, side) => {
      outs[level * 2 + 1]!.data.set(binLogits(dist / s, bins), (cell * 4 + side) * bins);
    });
  }
  return outs;
}
