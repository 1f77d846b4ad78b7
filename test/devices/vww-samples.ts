// Ten real photos as a [10, 96, 96, 3] float32 .npy in [0, 1] (the vww model's input range),
// made from the shared fixtures with sharp and written with the project's npy module.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeNpy } from '../../src-main/data/npy';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
export const VWW_INT8 = join(FIXTURES, 'mlperf-tiny', 'vww', 'vww_96_int8.tflite');
export const VWW_FLOAT = join(FIXTURES, 'mlperf-tiny', 'vww', 'vww_96_float.tflite');

export function fixturesPresent(): boolean {
  return existsSync(VWW_INT8);
}

export async function writeVwwSamples(path: string, count = 10): Promise<void> {
  const dirs = [join(FIXTURES, 'images', 'coral'), join(FIXTURES, 'images', 'litert_224')];
  const files = dirs
    .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
    .filter((f) => /\.(jpe?g|png)$/i.test(f)) // sharp reads no BMP
    .sort()
    .slice(0, count);
  if (files.length < count) throw new Error(`only ${files.length} images in the fixtures`);
  const data = new Float32Array(count * 96 * 96 * 3);
  for (const [i, file] of files.entries()) {
    const pixels = await sharp(file).removeAlpha().resize(96, 96, { fit: 'cover' }).raw().toBuffer();
    for (let k = 0; k < pixels.length; k++) data[i * pixels.length + k] = pixels[k]! / 255;
  }
  await writeNpy(path, { dtype: 'float32', shape: [count, 96, 96, 3], data });
}
