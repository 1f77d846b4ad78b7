// Local test helpers for the TFLite layer and runtimes: fixture paths, deterministic inputs,
// and output comparison (SQNR). Kept here on purpose: evaluate/metrics belongs to another module.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { RuntimeArray, RuntimeTensorInfo } from '../../src-main/runtime/types';
import { sqnrDb as engineSqnrDb } from '../../src-main/validation/sqnr';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const fixturesDir = join(repoRoot, '..', 'shared', 'fixtures');
export const haveFixtures = existsSync(fixturesDir);
export const FIXTURES_ABSENT = '../shared/fixtures absent';

export function fixture(relative: string): Uint8Array {
  const bytes = readFileSync(join(fixturesDir, relative));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Deterministic pseudo-random input for a runtime tensor (values in the dtype's useful range). */
export function sampleInput(info: RuntimeTensorInfo, seed: number): RuntimeArray {
  const n = info.shape.reduce((a, b) => a * b, 1);
  let state = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  switch (info.dtype) {
    case 'float32':
      return Float32Array.from({ length: n }, () => next());
    case 'int8':
      return Int8Array.from({ length: n }, () => Math.floor(next() * 256) - 128);
    case 'uint8':
      return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
    case 'int16':
      return Int16Array.from({ length: n }, () => Math.floor(next() * 2000) - 1000);
    case 'int32':
      return Int32Array.from({ length: n }, () => Math.floor(next() * 4));
    default:
      throw new Error(`no sample input for dtype ${info.dtype}`);
  }
}

export function toNumbers(a: RuntimeArray): number[] {
  return Array.from(a as ArrayLike<number | bigint>, Number);
}

/** SQNR in dB of `test` against `reference` (Infinity when equal), on runtime arrays of any dtype. */
export function sqnrDb(reference: RuntimeArray, test: RuntimeArray): number {
  const r = toNumbers(reference);
  const t = toNumbers(test);
  if (r.length !== t.length) throw new Error(`length ${r.length} vs ${t.length}`);
  return engineSqnrDb(r, t);
}
