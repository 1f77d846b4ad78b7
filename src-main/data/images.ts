// Image files → model-sized pixel arrays (uint8, HWC). JPEG/PNG/WebP/… through sharp; BMP
// through our own decoder. Resizing ignores aspect ratio ('fill') unless 'cover' crops centrally.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { InputError } from '../errors';
import { decodeBmp, isBmp } from './bmp';
import { checkImagePixels, MAX_IMAGE_PIXELS } from './image-bounds';

export class ImageError extends InputError {
  override name = 'ImageError';
}

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.gif', '.tif', '.tiff']);

export interface ImageTarget {
  height: number;
  width: number;
  /** 3 = RGB, 1 = gray. */
  channels: 1 | 3;
  fit?: 'fill' | 'cover';
}

/** Decodes and resizes one image file: uint8 HWC in RGB (or gray) order. */
export async function loadImage(path: string, target: ImageTarget): Promise<Uint8Array> {
  const bytes = await readFile(path);
  let pipeline: Sharp;
  try {
    if (isBmp(bytes)) {
      const rgb = decodeBmp(bytes, path);
      pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
    } else {
      // Refused by the size in its header before decoding (a 16000×16000 PNG is 768 MB decoded).
      await checkImagePixels(path);
      pipeline = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).rotate();
    }
    pipeline = pipeline.removeAlpha().resize(target.width, target.height, { fit: target.fit ?? 'fill' });
    pipeline = target.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== target.channels || info.width !== target.width || info.height !== target.height) {
      throw new ImageError(`${path}: decoded to ${info.width}x${info.height}x${info.channels}, expected ${target.width}x${target.height}x${target.channels}.`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new ImageError(`${path}: cannot decode image (${(error as Error).message.split('\n')[0]}); use JPEG, PNG or an uncompressed BMP.`);
  }
}

export interface ImageEntry {
  path: string;
  /** Sub-folder name when images are grouped by class, else undefined. */
  label?: string;
}

/** Images in `dir`, sorted; images in sub-folders carry the sub-folder name as label. */
export async function listImages(dir: string): Promise<ImageEntry[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new ImageError(`Cannot read image folder ${dir}: ${error.code ?? error.message}.`);
  });
  const found: ImageEntry[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const inner of (await readdir(path)).sort()) {
        const innerPath = join(path, inner);
        if (IMAGE_EXTENSIONS.has(extname(inner).toLowerCase()) && (await stat(innerPath)).isFile()) found.push({ path: innerPath, label: entry.name });
      }
    } else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      found.push({ path });
    }
  }
  return found;
}
