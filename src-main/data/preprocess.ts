// Pixel preprocessing: value = (pixel·scale − mean[c]) / std[c] in the model's channel order,
// as presets or a JSON file, plus the exact input quantization an int8/uint8 model input needs
// so that raw camera bytes can be fed with no arithmetic on the board.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors';
import type { PreprocessPreset } from '../convert/types';

export class PreprocessError extends InputError {
  override name = 'PreprocessError';
}

export interface Preprocessing {
  name: string;
  scale: number;
  /** Per channel in the model's channel order (after BGR swap when channelOrder is BGR). */
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'RGB' | 'BGR';
}

export const PRESETS: Readonly<Record<PreprocessPreset, Preprocessing>> = Object.freeze({
  '0..1': { name: '0..1', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' },
  '-1..1': { name: '-1..1', scale: 2 / 255, mean: [1, 1, 1], std: [1, 1, 1], channelOrder: 'RGB' },
  '0..255': { name: '0..255', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB' },
  imagenet: { name: 'imagenet', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: 'RGB' },
  // Caffe/Keras "caffe" mode: BGR, mean subtraction in 0..255, no scaling.
  caffe: { name: 'caffe', scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], channelOrder: 'BGR' },
});

function triple(value: unknown, field: string, source: string, fallback: number): [number, number, number] {
  if (value === undefined) return [fallback, fallback, fallback];
  if (typeof value === 'number') return [value, value, value];
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return value as [number, number, number];
  throw new PreprocessError(`${source}: '${field}' must be a number or 3 numbers.`);
}

/** A preset name or the path of a JSON file {mean, std, scale, channelOrder}. */
export async function resolvePreprocessing(spec: string | undefined): Promise<Preprocessing> {
  if (spec === undefined) return PRESETS['0..1'];
  if (spec in PRESETS) return PRESETS[spec as PreprocessPreset];
  if (!spec.toLowerCase().endsWith('.json')) throw new PreprocessError(`Unknown preprocessing '${spec}'; use 0..1, -1..1, 0..255, imagenet, caffe or a .json file.`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(spec, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new PreprocessError(`Cannot read preprocessing file ${spec}: ${(error as Error).message.split('\n')[0]}.`);
  }
  const order = json.channelOrder ?? 'RGB';
  if (order !== 'RGB' && order !== 'BGR') throw new PreprocessError(`${spec}: channelOrder must be "RGB" or "BGR".`);
  const scale = json.scale ?? 1;
  if (typeof scale !== 'number' || !(scale > 0)) throw new PreprocessError(`${spec}: scale must be a positive number.`);
  const std = triple(json.std, 'std', spec, 1);
  if (std.some((s) => s === 0)) throw new PreprocessError(`${spec}: std must not be 0.`);
  return { name: spec, scale, mean: triple(json.mean, 'mean', spec, 0), std, channelOrder: order };
}

/** uint8 HWC pixels (RGB or gray) → float32 model input. */
export function preprocessPixels(pixels: Uint8Array, channels: 1 | 3, p: Preprocessing): Float32Array {
  // A pixel has 256 values: each channel's outputs are tabulated once (the same expression, so the
  // same float32 values) and looked up, instead of a multiply and a divide per value.
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) for (let v = 0; v < 256; v++) table[c * 256 + v] = (v * p.scale - p.mean[c]!) / p.std[c]!;
  const out = new Float32Array(pixels.length);
  if (channels === 1) {
    for (let i = 0; i < pixels.length; i++) out[i] = table[pixels[i]!]!;
    return out;
  }
  // Output channel c reads source channel 2 − c under BGR.
  const [r, g, b] = p.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = table[pixels[i + r]!]!;
    out[i + 1] = table[256 + pixels[i + g]!]!;
    out[i + 2] = table[512 + pixels[i + b]!]!;
  }
  return out;
}

/** The float range a correct sample can take: [min, max] over channels. */
export function expectedRange(p: Preprocessing): [number, number] {
  const lows = p.mean.map((m, c) => (0 - m) / p.std[c]!);
  const highs = p.mean.map((m, c) => (255 * p.scale - m) / p.std[c]!);
  return [Math.min(...lows, ...highs), Math.max(...lows, ...highs)];
}

export interface ImpliedInputQuant {
  scale: number;
  zeroPoint: number;
  /** false when the zero point had to be rounded (e.g. -1..1 on uint8) or channels differ. */
  exact: boolean;
  /** What the deploying code does with a camera byte `pixel`. */
  formula: string;
}

/**
 * The input quantization that makes q = pixel (uint8) or q = pixel − 128 (int8) feed the model
 * exactly what the preprocessing would: real = scale·(q − zp). Undefined when the channels use
 * different mean/std (one per-tensor scale cannot express them).
 */
export function impliedInputQuant(p: Preprocessing, dtype: 'uint8' | 'int8'): ImpliedInputQuant | undefined {
  const same = p.mean.every((m) => m === p.mean[0]) && p.std.every((s) => s === p.std[0]);
  if (!same) return undefined;
  const scale = p.scale / p.std[0];
  const zpUint8 = p.mean[0] / p.scale;
  const zpReal = dtype === 'uint8' ? zpUint8 : zpUint8 - 128;
  const zeroPoint = Math.round(zpReal) || 0; // no -0
  const exact = Math.abs(zeroPoint - zpReal) < 1e-6;
  const q = dtype === 'uint8' ? 'q = pixel' : 'q = pixel - 128 (as int8)';
  const formula = `${q}; the model reads real = ${scale.toPrecision(8)} * (q - ${zeroPoint})${exact ? '' : ` (approximates ${p.name}: exact zero point would be ${zpReal})`}`;
  return { scale, zeroPoint, exact, formula };
}
