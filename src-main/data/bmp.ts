// A small BMP decoder (sharp/libvips cannot read BMP): uncompressed 8-bit paletted, 24-bit and
// 32-bit (BI_RGB or BI_BITFIELDS with byte-aligned masks), bottom-up or top-down rows.
import { InputError } from '../errors';

export class BmpError extends InputError {
  override name = 'BmpError';
}

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array;
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length > 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function maskShift(mask: number): number {
  if (mask === 0) return -1;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  if ((mask >>> shift) !== 0xff) return -2; // not an 8-bit channel
  return shift;
}

export function decodeBmp(bytes: Uint8Array, source = 'image'): RgbImage {
  if (!isBmp(bytes)) throw new BmpError(`${source} is not a BMP file.`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = v.getUint32(10, true);
  const infoSize = v.getUint32(14, true);
  if (infoSize < 40) throw new BmpError(`${source}: OS/2 BMP headers are not supported; re-save it as PNG.`);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0) throw new BmpError(`${source}: bad BMP size ${width}x${rawHeight}.`);
  let shifts = [16, 8, 0]; // B,G,R byte order in little-endian pixels
  if (compression === 3 && bpp === 32) {
    const masks = [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)];
    shifts = masks.map(maskShift);
    if (shifts.some((s) => s < 0)) throw new BmpError(`${source}: unusual BMP bit masks; re-save it as PNG.`);
  } else if (compression !== 0) {
    throw new BmpError(`${source}: compressed BMP (method ${compression}) is not supported; re-save it uncompressed or as PNG.`);
  }
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) throw new BmpError(`${source}: ${bpp}-bit BMP is not supported (8, 24 or 32 bit); re-save it as PNG.`);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new BmpError(`${source}: truncated BMP (needs ${dataOffset + stride * height} bytes, has ${bytes.length}).`);
  let palette: Uint8Array | undefined;
  if (bpp === 8) {
    const colours = v.getUint32(46, true) || 256;
    palette = bytes.subarray(14 + infoSize, 14 + infoSize + colours * 4); // B,G,R,0 entries
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const p = bytes[row + x]! * 4;
        out[o] = palette[p + 2] ?? 0;
        out[o + 1] = palette[p + 1] ?? 0;
        out[o + 2] = palette[p] ?? 0;
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      } else {
        const pixel = v.getUint32(row + x * 4, true);
        out[o] = (pixel >>> shifts[0]!) & 0xff;
        out[o + 1] = (pixel >>> shifts[1]!) & 0xff;
        out[o + 2] = (pixel >>> shifts[2]!) & 0xff;
      }
    }
  }
  return { width, height, data: out };
}
