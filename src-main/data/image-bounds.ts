// The largest image the app decodes. A 16000×16000 PNG is 1 MB on disk and 768 MB decoded
// (4.5 GB in the preview before this bound); a calibration image is rarely above a few MP.
import sharp from 'sharp';
import { InputError } from '../errors';

export class ImageTooLargeError extends InputError {
  override name = 'ImageTooLargeError';
}

/** 64 MP: an 8000×8000 photo passes, a 16000×16000 one does not. */
export const MAX_IMAGE_PIXELS = 64_000_000;

/**
 * Reads only the image's header (from the file, or from its bytes already read: `path` then names
 * it in errors); throws a one-line error when it is unreadable or too large.
 */
export async function checkImagePixels(
  image: string | Buffer,
  path: string = typeof image === 'string' ? image : 'image',
  maxPixels: number = MAX_IMAGE_PIXELS,
): Promise<{ width: number; height: number }> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(image, { limitInputPixels: false }).metadata());
  } catch (error) {
    throw new InputError(`${path}: cannot decode image (${(error as Error).message.split('\n')[0]}); use JPEG, PNG or an uncompressed BMP.`);
  }
  if (!width || !height) throw new InputError(`${path}: cannot decode image (its header gives no size); use JPEG, PNG or an uncompressed BMP.`);
  if (width * height > maxPixels) {
    const mp = (n: number) => `${(n / 1e6).toFixed(0)} MP`;
    throw new ImageTooLargeError(`${path}: ${width}×${height} pixels (${mp(width * height)}) is more than the ${mp(maxPixels)} the app decodes; scale the image down.`);
  }
  return { width, height };
}
