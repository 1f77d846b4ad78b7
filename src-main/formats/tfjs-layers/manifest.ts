// TF.js weight manifests: shards concatenated in manifest order; each entry is float32,
// int32, or quantized (uint8/uint16 affine with min/scale, float16 bits).
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize, isAbsolute } from 'node:path';
import { InputError } from '../../errors';
import { decodeFloat16 } from '../../graph/float16';
import type { KerasWeight } from '../keras/weights';

export class TfjsFormatError extends InputError {
  override name = 'TfjsFormatError';
}

export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

export interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

function shardPath(modelPath: string, shard: string): string {
  if (isAbsolute(shard) || normalize(shard).split(/[\\/]/).includes('..')) {
    throw new TfjsFormatError(`${modelPath}: weight shard path '${shard}' leaves the model folder; refusing to read it.`);
  }
  return join(dirname(modelPath), shard);
}

function decode(entry: ManifestEntry, bytes: Uint8Array, label: string): Float32Array {
  const count = entry.shape.reduce((a, d) => a * d, 1);
  const copy = bytes.slice(); // aligned buffer for the typed-array views below
  const q = entry.quantization;
  if (q) {
    if (q.dtype === 'float16') return decodeFloat16(new Uint16Array(copy.buffer, 0, count));
    if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      const src = q.dtype === 'uint8' ? copy : new Uint16Array(copy.buffer, 0, count);
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i]! * scale + min;
      return out;
    }
    throw new TfjsFormatError(`${label}: weight '${entry.name}' uses quantization dtype '${q.dtype}' this tool does not read.`);
  }
  if (entry.dtype === 'float32') return new Float32Array(copy.buffer, 0, count);
  if (entry.dtype === 'int32') return Float32Array.from(new Int32Array(copy.buffer, 0, count));
  throw new TfjsFormatError(`${label}: weight '${entry.name}' has dtype '${entry.dtype}' this tool does not read.`);
}

/** Reads every weight of the manifest; sizes are checked against the shard bytes. */
export async function readManifestWeights(modelPath: string, groups: ManifestGroup[]): Promise<KerasWeight[]> {
  const out: KerasWeight[] = [];
  for (const group of groups) {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      const path = shardPath(modelPath, p);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new TfjsFormatError(`${modelPath}: weight shard '${p}' is missing next to model.json.`);
      parts.push(new Uint8Array(await readFile(path)));
    }
    const total = parts.reduce((a, p) => a + p.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    let offset = 0;
    for (const entry of group.weights) {
      const count = entry.shape.reduce((a, d) => a * d, 1);
      const dtype = entry.quantization?.dtype ?? entry.dtype;
      const size = count * (BYTES[dtype] ?? 4);
      if (offset + size > all.length) {
        throw new TfjsFormatError(`${modelPath}: weight shards are truncated (weight '${entry.name}' needs bytes ${offset}..${offset + size}, shards hold ${all.length}).`);
      }
      out.push({ name: entry.name, shape: entry.shape, data: decode(entry, all.subarray(offset, offset + size), modelPath) });
      offset += size;
    }
  }
  return out;
}
