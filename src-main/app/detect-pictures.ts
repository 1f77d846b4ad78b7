// The validation images of a detector run as the model saw them (its preprocessed input mapped
// back to 0..255, NHWC or NCHW), so the Studio draws the boxes, which are in input pixels, on
// exactly the picture they were found in — whatever the data was (image folder, .npy, .npz).
import sharp from 'sharp';
import type { DetectionPictures } from '../detect/run-record';

/** One input tensor [1,H,W,C] or [1,C,H,W] (C = 1 or 3) as 8-bit RGB or grey, HWC order. */
export function inputToPixels(values: Float32Array, shape: number[]): { pixels: Buffer; width: number; height: number; channels: 1 | 3 } {
  const nchw = (shape[1] === 1 || shape[1] === 3) && shape[3] !== 1 && shape[3] !== 3;
  const [height, width, channels] = (nchw ? [shape[2], shape[3], shape[1]] : [shape[1], shape[2], shape[3]]) as [number, number, 1 | 3];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // The preprocessing is not inverted exactly (presets, JSON files): the range is stretched to 0..255.
  const span = max - min || 1;
  const plane = width * height;
  const pixels = Buffer.alloc(plane * channels);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      const v = nchw ? values[c * plane + i]! : values[i * channels + c]!;
      pixels[i * channels + c] = Math.round(((v - min) / span) * 255);
    }
  }
  return { pixels, width, height, channels };
}

const MAX_SIDE = 480;

/** Collects up to `limit` samples while evaluation runs; encodes them as JPEG afterwards. */
export class PictureCollector {
  readonly #kept: { source: string; raw: ReturnType<typeof inputToPixels> }[] = [];

  constructor(readonly limit: number) {}

  add(source: string, input: Float32Array, shape: number[]): void {
    if (this.#kept.length < this.limit) this.#kept.push({ source, raw: inputToPixels(input, shape) });
  }

  async encode(): Promise<DetectionPictures | undefined> {
    if (!this.#kept.length) return undefined;
    const images = [];
    for (const { source, raw } of this.#kept) {
      // Drawn at most ~480 px wide: larger inputs are shrunk (the boxes scale with the picture).
      const scale = Math.min(1, MAX_SIDE / Math.max(raw.width, raw.height));
      const jpeg = await sharp(raw.pixels, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
        .resize(Math.round(raw.width * scale), Math.round(raw.height * scale), { fit: 'fill' })
        .jpeg({ quality: 80 })
        .toBuffer();
      images.push({ source, jpegBase64: jpeg.toString('base64') });
    }
    return { images };
  }
}
