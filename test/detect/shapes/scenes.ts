// Scenes of filled shapes on a background, with their boxes: the data the authored YOLOv8-style
// detector was trained on (see ./README.md) and is judged on. One generator for both, so the test
// images are of the kind the network learnt. Backgrounds are photos when given (their statistics
// are a photo's), else smooth synthetic gradients and blobs.
import { seededRandom } from '../../../src-main/seeded-random';

/** Class ids 0..5; the other 74 of the model's 80 classes never occur (trained to score ~0). */
export const SHAPES = ['circle', 'rectangle', 'triangle', 'ring', 'cross', 'diamond'] as const;

export interface SceneBox {
  classId: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Scene {
  /** uint8 HWC RGB, size × size. */
  pixels: Uint8Array;
  boxes: SceneBox[];
}

export interface SceneOptions {
  size: number;
  seed: number;
  /** A size × size × 3 uint8 background (a photo), else a synthetic one. */
  background?: Uint8Array;
  /** Shape sizes in pixels (longer side), log-uniform. */
  minSide?: number;
  maxSide?: number;
  maxShapes?: number;
}

/** Coverage (0..1) of a shape at (u, v) ∈ [-1, 1]², with `aa` the width of one pixel in (u, v). */
function coverage(shape: (typeof SHAPES)[number], u: number, v: number, aa: number): number {
  // Signed distance (approximate, negative inside) in (u, v) units → a one-pixel soft edge.
  let d: number;
  switch (shape) {
    case 'circle':
      d = Math.hypot(u, v) - 1;
      break;
    case 'rectangle':
      d = Math.max(Math.abs(u), Math.abs(v)) - 1;
      break;
    case 'triangle':
      // Apex at the top centre (v = −1), base along the bottom (v = 1).
      d = Math.max(v - 1, (Math.abs(u) - (v + 1) / 2) / Math.hypot(1, 0.5));
      break;
    case 'ring': {
      const r = Math.hypot(u, v);
      d = Math.max(r - 1, 0.55 - r);
      break;
    }
    case 'cross':
      d = Math.min(Math.max(Math.abs(u) - 0.32, Math.abs(v) - 1), Math.max(Math.abs(u) - 1, Math.abs(v) - 0.32));
      break;
    case 'diamond':
      d = (Math.abs(u) + Math.abs(v) - 1) / Math.SQRT2;
      break;
  }
  return Math.min(1, Math.max(0, 0.5 - d / aa));
}

function syntheticBackground(size: number, r: () => number): Float32Array {
  const out = new Float32Array(size * size * 3);
  const base = [r(), r(), r()].map((c) => 0.2 + 0.6 * c);
  const tilt = [r() - 0.5, r() - 0.5];
  const blobs = Array.from({ length: 8 }, () => ({ x: r() * size, y: r() * size, s: size * (0.05 + 0.25 * r()), c: [r() - 0.5, r() - 0.5, r() - 0.5] }));
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      for (let c = 0; c < 3; c++) {
        let v = base[c]! + 0.4 * (tilt[0]! * i + tilt[1]! * j) / size;
        for (const b of blobs) v += 0.6 * b.c[c]! * Math.exp(-((i - b.y) ** 2 + (j - b.x) ** 2) / (2 * b.s * b.s));
        out[(i * size + j) * 3 + c] = v + 0.06 * (r() - 0.5);
      }
    }
  }
  return out;
}

function iou(a: SceneBox, b: SceneBox): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** One scene (seeded): 1..maxShapes shapes of random colour, size, aspect and place. */
export function drawScene(options: SceneOptions): Scene {
  const { size, seed } = options;
  const r = seededRandom(seed);
  const minSide = options.minSide ?? 16;
  const maxSide = Math.min(options.maxSide ?? 220, size * 0.8);
  const image = options.background ? Float32Array.from(options.background, (v) => v / 255) : syntheticBackground(size, r);
  const boxes: SceneBox[] = [];
  const count = 1 + Math.floor(r() * (options.maxShapes ?? 6));
  for (let attempt = 0; boxes.length < count && attempt < 40; attempt++) {
    const side = minSide * (maxSide / minSide) ** r();
    const aspect = 0.6 + 0.8 * r();
    const w = aspect >= 1 ? side : side * aspect;
    const h = aspect >= 1 ? side / aspect : side;
    const x1 = r() * (size - w);
    const y1 = r() * (size - h);
    const box: SceneBox = { classId: Math.floor(r() * SHAPES.length), x1, y1, x2: x1 + w, y2: y1 + h };
    if (boxes.some((b) => iou(b, box) > 0.2)) continue;
    const colour = [r(), r(), r()];
    // Keep the colour away from grey so a shape stands out of most backgrounds.
    const strongest = colour.indexOf(Math.max(...colour));
    colour[strongest] = 0.75 + 0.25 * r();
    colour[(strongest + 1 + Math.floor(r() * 2)) % 3] = 0.25 * r();
    const shape = SHAPES[box.classId]!;
    const aa = 2 / Math.min(w, h);
    for (let i = Math.max(0, Math.floor(y1)); i < Math.min(size, Math.ceil(y1 + h)); i++) {
      for (let j = Math.max(0, Math.floor(x1)); j < Math.min(size, Math.ceil(x1 + w)); j++) {
        const u = ((j + 0.5 - x1) / w) * 2 - 1;
        const v = ((i + 0.5 - y1) / h) * 2 - 1;
        const a = coverage(shape, u, v, aa);
        if (a === 0) continue;
        for (let c = 0; c < 3; c++) {
          const k = (i * size + j) * 3 + c;
          image[k] = image[k]! * (1 - a) + colour[c]! * a;
        }
      }
    }
    boxes.push(box);
  }
  const pixels = Uint8Array.from(image, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return { pixels, boxes };
}
