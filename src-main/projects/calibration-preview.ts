// A preview of one calibration sample as the quantizer will see it: resized to the model's
// input size, converted to its channel count, then scaled by the preprocessing preset. The
// preprocessed values are mapped back to 0..255 for display, with their actual range reported.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../errors';
import { checkImagePixels, MAX_IMAGE_PIXELS } from '../data/image-bounds';
import { walkFiles } from '../data/walk';
import type { CalibrationPreview } from './api-contract';

export class CalibrationPreviewError extends InputError {
  override name = 'CalibrationPreviewError';
}

const IMAGE = /\.(png|jpe?g|webp|bmp|gif|tiff?)$/i;

/** Per-channel (x - mean) / std applied to 0..255 RGB values, per preset. */
const PRESETS: Record<string, { mean: number[]; std: number[]; bgr?: boolean }> = {
  '0..1': { mean: [0, 0, 0], std: [255, 255, 255] },
  '-1..1': { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  '0..255': { mean: [0, 0, 0], std: [1, 1, 1] },
  imagenet: { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  caffe: { mean: [103.939, 116.779, 123.68], std: [1, 1, 1], bgr: true },
};

/** Images anywhere under folder, bounded (data/walk.ts): symlink loops end, /usr is refused. */
function listImages(folder: string): Promise<string[]> {
  return walkFiles(folder, { accept: (name) => IMAGE.test(name), followSymlinks: true, what: 'Calibration folder' });
}

export async function previewCalibration(path: string, preprocess: string, shape?: number[]): Promise<CalibrationPreview> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new CalibrationPreviewError(`Calibration folder ${path} not found; pick a folder of images.`);
  const folder = st.isDirectory() ? path : join(path, '..');
  const images = st.isDirectory() ? await listImages(path) : [basename(path)];
  if (images.length === 0) throw new CalibrationPreviewError(`No images (.png, .jpg, .webp, .bmp) in ${path}; pick a folder of calibration images.`);
  const preset = PRESETS[preprocess];
  if (!preset) throw new CalibrationPreviewError(`Unknown preprocessing preset '${preprocess}'; use one of ${Object.keys(PRESETS).join(', ')}.`);
  const [, h, w, c] = shape && shape.length === 4 ? shape : [1, undefined, undefined, 3];
  const channels = c === 1 ? 1 : 3;
  const { default: sharp } = await import('sharp');
  const sample = join(folder, images[0]!);
  // Refused by the size in its header, before anything is decoded.
  await checkImagePixels(sample);
  let pipeline = sharp(sample, { limitInputPixels: MAX_IMAGE_PIXELS }).removeAlpha();
  if (h && w) pipeline = pipeline.resize(w, h, { fit: 'fill' });
  if (channels === 1) pipeline = pipeline.grayscale();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const values = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < channels; k++) {
      const source = preset.bgr && channels === 3 ? 2 - k : k;
      values[i * channels + k] = (data[i * info.channels + source]! - preset.mean[k]!) / preset.std[k]!;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const span = max - min || 1;
  const display = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) display[i] = Math.round(((values[i]! - min) / span) * 255);
  const png = await sharp(display, { raw: { width: info.width, height: info.height, channels: channels as 1 | 3 } })
    .resize(Math.max(info.width, 112), Math.max(info.height, 112), { kernel: 'nearest', fit: 'fill' })
    .png()
    .toBuffer();
  return {
    folder,
    files: images.length,
    sample: images[0]!,
    preprocess,
    width: info.width,
    height: info.height,
    channels,
    pngBase64: png.toString('base64'),
    range: { min, max, mean: sum / values.length },
  };
}
