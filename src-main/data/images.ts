// Image files → model-sized pixel arrays (uint8, HWC). JPEG/PNG/WebP/… through sharp; BMP
// through our own decoder. Resizing ignores aspect ratio ('fill') unless 'cover' crops centrally.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { InputError } from '../errors';
import { decodeBmp, isBmp } from './bmp';
import { checkImagePixels, MAX_IMAGE_PIXELS } from './image-bounds';
import { walkFiles } from './walk';

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
  return decodeImage(await readFile(path), path, target);
}

/** Decodes and resizes an image file's bytes (`path` names it in errors). */
export async function decodeImage(bytes: Uint8Array, path: string, target: ImageTarget): Promise<Uint8Array> {
  let pipeline: Sharp;
  try {
    if (isBmp(bytes)) {
      const rgb = decodeBmp(bytes, path);
      pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
    } else {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // Refused by the size in its header before decoding (a 16000×16000 PNG is 768 MB decoded).
      await checkImagePixels(buffer, path);
      pipeline = sharp(buffer, { limitInputPixels: MAX_IMAGE_PIXELS }).rotate();
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

/**
 * Images in `dir` and its sub-folders (not deeper), sorted; images in sub-folders carry the
 * sub-folder name as label. Bounded (walk.ts): symlinks are followed but loops end, and a folder
 * of more entries than any data set (/usr) is refused in one line.
 */
export async function listImages(dir: string): Promise<ImageEntry[]> {
  const files = await walkFiles(dir, {
    accept: (name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()),
    followSymlinks: true,
    maxDepth: 1,
    deeper: 'skip',
    what: 'Image folder',
  });
  const entries = files.map((rel) => {
    const slash = rel.indexOf('/');
    return slash < 0 ? { rel, top: rel } : { rel, top: rel.slice(0, slash), label: rel.slice(0, slash) };
  });
  // Top-level names in locale order, then file names within a sub-folder in code-unit order.
  entries.sort((a, b) => a.top.localeCompare(b.top) || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return entries.map(({ rel, label }) => (label === undefined ? { path: join(dir, rel) } : { path: join(dir, rel), label }));
}
