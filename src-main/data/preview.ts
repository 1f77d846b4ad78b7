// A preview of one calibration sample exactly as the quantizer sees it: the same dataset code
// (openDataset: image decoding and resizing, .npy/.npz rows, preset or JSON preprocessing) and
// the same seeded selection, so the shown sample is the first one calibration reads. The values
// are mapped back to 0..255 for display, with their actual range reported.
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { InputError } from '../errors';
import type { InputSpec } from './dataset';
import { stretchToBytes } from './display';
import { checkImagePixels } from './image-bounds';
import { listImages } from './images';
import { openDataset } from './open';

export class PreviewError extends InputError {
  override name = 'PreviewError';
}

export interface SamplePreview {
  folder: string;
  files: number;
  sample: string;
  preprocess: string;
  width: number;
  height: number;
  channels: number;
  /** The preprocessed sample rendered back to 8-bit grey/RGB for display. */
  pngBase64: string;
  range: { min: number; max: number; mean: number };
}

export interface PreviewRequest {
  path: string;
  preprocess: string;
  /** The model's input shape [1,H,W,C]; without it images keep the first image's size. */
  shape?: number[];
  /** The calibration's sample count and seed: they decide which sample it reads first. */
  samples: number;
  seed: number;
}

/** The model input to preview for: the given shape, or an RGB input the size of the first image. */
async function previewInput(path: string, shape: number[] | undefined): Promise<InputSpec> {
  if (shape) return { name: 'input', shape, dtype: 'float32' };
  const info = await stat(path).catch(() => null);
  if (!info) throw new PreviewError(`Calibration data ${path} not found; pick a folder of images, a .npy or a .npz.`);
  if (!info.isDirectory()) throw new PreviewError(`Previewing ${path} needs the model's input shape; inspect the model first.`);
  const first = (await listImages(path))[0];
  if (!first) throw new PreviewError(`No images (.png, .jpg, .webp, .bmp) in ${path}; pick a folder of calibration images.`);
  // The header alone gives the size, and refuses an image too large to decode (image-bounds.ts).
  const { width, height } = await checkImagePixels(first.path);
  return { name: 'input', shape: [1, height, width, 3], dtype: 'float32' };
}

/**
 * One sample's values as a PNG: stretched from its own min..max to 0..255 (preprocessed data is
 * rarely 0..255), then scaled up with nearest-neighbour to at least `size.atLeast` pixels a side,
 * or down to at most `size.atMost` (thumbnails).
 */
export async function renderSamplePng(values: Float32Array, width: number, height: number, channels: 1 | 3, size: { atLeast: number } | { atMost: number }): Promise<Buffer> {
  const display = stretchToBytes(values, { width, height, channels, nchw: false });
  let image = sharp(display, { raw: { width, height, channels } });
  if ('atLeast' in size) image = image.resize(Math.max(width, size.atLeast), Math.max(height, size.atLeast), { kernel: 'nearest', fit: 'fill' });
  else if (Math.max(width, height) > size.atMost) image = image.resize(size.atMost, size.atMost, { fit: 'inside' });
  return image.png().toBuffer();
}

export async function previewSample(request: PreviewRequest): Promise<SamplePreview> {
  const input = await previewInput(request.path, request.shape);
  const [, height, width, channels = 1] = input.shape;
  if (input.shape.length < 3 || !(height! > 0 && width! > 0) || (channels !== 1 && channels !== 3)) {
    throw new PreviewError(`The preview shows image inputs [1,H,W,1|3]; this model's input is [${input.shape.join(',')}].`);
  }
  const dataset = await openDataset(request.path, [input], { preprocess: request.preprocess, samples: request.samples, seed: request.seed, warnFewSamples: false });
  let sample;
  try {
    for await (const first of dataset.samples()) {
      sample = first;
      break;
    }
  } finally {
    await dataset.close();
  }
  if (!sample) throw new PreviewError(`No samples in ${request.path}.`);
  const values = sample.inputs[0]!;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const png = await renderSamplePng(values, width!, height!, channels as 1 | 3, { atLeast: 112 });
  return {
    folder: request.path,
    files: dataset.available,
    sample: sample.source,
    preprocess: request.preprocess,
    width: width!,
    height: height!,
    channels,
    pngBase64: png.toString('base64'),
    range: { min, max, mean: sum / values.length },
  };
}
