// Shared by the quantizer tests: real fixture files, real photos decoded with sharp, and
// calibration ranges observed by running the float graph in the IR interpreter.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { asStatistics, collectStatistics, type Dataset } from '../../src-main/quantize/calibration/index';
import { mainGraph, opHistogram, type ModelGraph } from '../../src-main/graph/model-graph';
import { readTflite } from '../../src-main/tflite/reader';
import type { Statistics } from '../../src-main/quantize/qtypes';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
export const hasFixtures = existsSync(FIXTURES);

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** ad01's input windows from..to of its log-mel fixture: 5 frames of 128 bins each, one frame apart. */
export function ad01Windows(from: number, to: number): Float32Array[] {
  const bin = readFileSync(fixture('mlperf-tiny', 'ad01', 'dcase_logmel_200x128_f32.bin'));
  const frames = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  const out: Float32Array[] = [];
  for (let s = from; s < to; s++) out.push(frames.slice(s * 128, (s + 5) * 128));
  return out;
}

export function readFixtureModel(...parts: string[]): ModelGraph {
  return readTflite(new Uint8Array(readFileSync(fixture(...parts))), { fileName: parts.at(-1) });
}

const IMAGE = /\.(png|jpe?g|bmp)$/i;
export function imageFiles(...dirs: string[]): string[] {
  return dirs.flatMap((d) => readdirSync(fixture('images', d)).filter((f) => IMAGE.test(f)).sort().map((f) => fixture('images', d, f)));
}

/** RGB bytes resized (cover) to size×size, NHWC. */
export async function loadRgbBytes(path: string, size: number): Promise<Uint8Array> {
  const bytes = readFileSync(path);
  const img = path.toLowerCase().endsWith('.bmp') ? sharp(decodeBmp(bytes), { raw: bmpInfo(bytes) }) : sharp(bytes);
  const { data } = await img.removeAlpha().resize(size, size, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** RGB, resized (cover) to size×size, NHWC float32 scaled by `scale` (1/255 for 0..1). */
export async function loadImage(path: string, size: number, scale: number): Promise<Float32Array> {
  return Float32Array.from(await loadRgbBytes(path, size), (v) => v * scale);
}

/** Five crops (corners + centre) of the image resized to 1.25×size: more real samples per photo. */
export async function loadImageCrops(path: string, size: number, scale: number): Promise<Float32Array[]> {
  const big = Math.round(size * 1.25);
  const full = await loadImage(path, big, scale);
  const offsets = [[0, 0], [0, big - size], [big - size, 0], [big - size, big - size], [(big - size) >> 1, (big - size) >> 1]];
  return offsets.map(([oy, ox]) => {
    const out = new Float32Array(size * size * 3);
    for (let y = 0; y < size; y++) out.set(full.subarray(((y + oy!) * big + ox!) * 3, ((y + oy!) * big + ox! + size) * 3), y * size * 3);
    return out;
  });
}

/** The samples followed by their left-right mirror images (NHWC size×size×3): twice the held-out data. */
export function withMirrors(samples: Float32Array[], size: number): Float32Array[] {
  const mirror = (x: Float32Array): Float32Array => {
    const out = new Float32Array(x.length);
    for (let y = 0; y < size; y++) for (let c = 0; c < size; c++) out.set(x.subarray((y * size + size - 1 - c) * 3, (y * size + size - c) * 3), (y * size + c) * 3);
    return out;
  };
  return [...samples, ...samples.map(mirror)];
}

function bmpInfo(buf: Buffer): { width: number; height: number; channels: 3 } {
  return { width: buf.readInt32LE(18), height: Math.abs(buf.readInt32LE(22)), channels: 3 };
}

function decodeBmp(buf: Buffer): Buffer {
  const offset = buf.readUInt32LE(10);
  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const bpp = buf.readUInt16LE(28);
  if (bpp !== 24 && bpp !== 32) throw new Error(`BMP with ${bpp} bits per pixel`);
  const height = Math.abs(rawHeight);
  const bytes = bpp / 8;
  const stride = Math.ceil((width * bytes) / 4) * 4;
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = rawHeight > 0 ? height - 1 - y : y;
    for (let x = 0; x < width; x++) {
      const p = offset + row * stride + x * bytes;
      const o = (y * width + x) * 3;
      out[o] = buf[p + 2]!;
      out[o + 1] = buf[p + 1]!;
      out[o + 2] = buf[p]!;
    }
  }
  return out;
}

/** Min/max of every float tensor over in-memory samples, through the engine's calibration (collectStatistics). */
export async function observeRanges(model: ModelGraph, samples: Float32Array[][]): Promise<Statistics> {
  const dataset: Dataset = {
    description: `${samples.length} test samples`,
    count: samples.length,
    available: samples.length,
    warnings: [],
    async *samples() {
      for (const [i, inputs] of samples.entries()) yield { inputs, source: `sample ${i}` };
    },
    close: async () => undefined,
  };
  return asStatistics(await collectStatistics(model, dataset));
}

/** Structure fingerprint: op histogram, and per op kind the dtypes and quant layout of its inputs/outputs. */
export function structure(model: ModelGraph): { histogram: Record<string, number>; signatures: string[] } {
  const g = mainGraph(model);
  const describe = (name: string | null): string => {
    if (name === null) return '-';
    const t = g.tensors.get(name)!;
    const q = t.quant && t.quant.scale.length ? (t.quant.scale.length > 1 ? `pc${t.quant.axis ?? 0}` : 'pt') : 'f';
    return `${t.dtype}${t.data ? 'c' : ''}:${q}`;
  };
  const signatures = g.nodes.map((n) => `${n.op}(${n.inputs.map(describe).join(',')})->${n.outputs.map(describe).join(',')}`);
  return { histogram: opHistogram(g), signatures };
}
