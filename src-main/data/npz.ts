// NumPy .npz archives: a zip of .npy members (stored or deflated), read with fflate.
import { readFile, writeFile } from 'node:fs/promises';
import { unzipSync, zipSync } from 'fflate';
import { encodeNpy, NpyError, parseNpy, type NpyArray } from './npy';

export class NpzError extends NpyError {
  override name = 'NpzError';
}

/** Arrays by name (the member name without `.npy`), in archive order. */
export function parseNpz(bytes: Uint8Array, source = 'archive'): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (error) {
    throw new NpzError(`${source} is not a readable .npz (zip) archive: ${(error as Error).message}; save it with numpy.savez.`);
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, data] of Object.entries(members)) {
    if (!name.endsWith('.npy')) continue;
    arrays.set(name.slice(0, -4), parseNpy(data, `${source}:${name}`));
  }
  if (arrays.size === 0) throw new NpzError(`${source} holds no .npy arrays.`);
  return arrays;
}

export async function readNpz(path: string): Promise<Map<string, NpyArray>> {
  return parseNpz(new Uint8Array(await readFile(path)), path);
}

export function encodeNpz(arrays: Map<string, NpyArray> | Record<string, NpyArray>, compress = false): Uint8Array {
  const entries = arrays instanceof Map ? [...arrays] : Object.entries(arrays);
  const files: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [name, array] of entries) files[`${name}.npy`] = [encodeNpy(array), { level: compress ? 6 : 0 }];
  return zipSync(files);
}

export async function writeNpz(path: string, arrays: Map<string, NpyArray> | Record<string, NpyArray>, compress = false): Promise<void> {
  await writeFile(path, encodeNpz(arrays, compress));
}
