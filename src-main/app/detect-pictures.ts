// The validation images of a detector run as the model saw them (its preprocessed input mapped
// back to 0..255, NHWC or NCHW), so the Studio draws the boxes, which are in input pixels, on
// exactly the picture they were found in — whatever the data was (image folder, .npy, .npz).
import sharp from 'sharp';
import type { DetectionPictures } from '../detect/run-record';
import type { Preprocessing } from '../data/preprocess';
import { stretchToBytes, valueIndex, type PixelLayout } from '../data/display';

/** Share of values allowed outside 0..255 once inverted before the preprocessing is taken as not the data's. */
const OUTSIDE_LIMIT = 0.01;

/**
 * One input tensor [1,H,W,C] or [1,C,H,W] (C = 1 or 3) as 8-bit RGB or grey, HWC order: the
 * preprocessing inverted (pixel = (v·std + mean) / scale, BGR back to RGB), so the photo looks
 * like the photo. Without it, or when the values do not fit it (a .npy prepared another way),
 * the range is stretched to 0..255.
 */
export function inputToPixels(values: Float32Array, shape: number[], preprocessing?: Preprocessing): { pixels: Buffer; width: number; height: number; channels: 1 | 3 } {
  const nchw = (shape[1] === 1 || shape[1] === 3) && shape[3] !== 1 && shape[3] !== 3;
  const [height, width, channels] = (nchw ? [shape[2], shape[3], shape[1]] : [shape[1], shape[2], shape[3]]) as [number, number, 1 | 3];
  const layout = { width, height, channels, nchw };
  // The preprocessing not inverted exactly (presets, JSON files): the range is stretched to 0..255.
  const pixels = (preprocessing && invert(values, layout, preprocessing)) || stretchToBytes(values, layout);
  return { pixels, width, height, channels };
}

function invert(values: Float32Array, layout: PixelLayout, p: Preprocessing): Buffer | undefined {
  const { channels } = layout;
  const plane = layout.width * layout.height;
  const pixels = Buffer.alloc(plane * channels);
  const bgr = channels === 3 && p.channelOrder === 'BGR';
  let outside = 0;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      const v = values[valueIndex(layout, i, c)]!;
      const pixel = (v * p.std[c]! + p.mean[c]!) / p.scale;
      if (pixel < -0.5 || pixel > 255.5) outside++;
      // The model's channel c is RGB channel 2 − c when it takes BGR.
      pixels[i * channels + (bgr ? 2 - c : c)] = Math.min(255, Math.max(0, Math.round(pixel)));
    }
  }
  return outside <= OUTSIDE_LIMIT * values.length ? pixels : undefined;
}

const MAX_SIDE = 480;

/** Collects up to `limit` samples while evaluation runs; encodes them as JPEG afterwards. */
export class PictureCollector {
  readonly #kept: { source: string; raw: ReturnType<typeof inputToPixels> }[] = [];

  /** The run's preprocessing, inverted to draw each picture (set before the samples arrive). */
  preprocessing: Preprocessing | undefined;

  constructor(readonly limit: number) {}

  add(source: string, input: Float32Array, shape: number[]): void {
    if (this.#kept.length < this.limit) this.#kept.push({ source, raw: inputToPixels(input, shape, this.preprocessing) });
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
