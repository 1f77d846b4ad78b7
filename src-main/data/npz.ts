// NumPy .npz archives: a zip of .npy members (stored or deflated). Whole-archive read/write with
// fflate, and `openNpz` for row access without loading stored (numpy.savez) members.
import { open, readFile, writeFile } from 'node:fs/promises';
import { inflateSync, unzipSync, zipSync } from 'fflate';
import { encodeNpy, npyAt, NpyError, npyInMemory, parseNpy, type NpyArray, type NpyFile } from './npy';
import { entryDataOffset, readZipIndex } from './zip-index';

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

/** A .npz opened for row access: stored members are read in place, deflated ones inflated whole. */
export interface NpzArchive {
  readonly path: string;
  /** Array names (member names without `.npy`), in archive order. */
  readonly names: string[];
  member(name: string): Promise<NpyFile>;
  close(): Promise<void>;
}

export async function openNpz(path: string): Promise<NpzArchive> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const entries = (await readZipIndex(handle, size, path)).filter((e) => e.name.endsWith('.npy'));
    if (entries.length === 0) throw new NpzError(`${path} holds no .npy arrays.`);
    const byName = new Map(entries.map((e) => [e.name.slice(0, -4), e]));
    return {
      path,
      names: [...byName.keys()],
      async member(name) {
        const entry = byName.get(name);
        if (!entry) throw new NpzError(`${path} has no array '${name}' (has ${[...byName.keys()].join(', ')}).`);
        const label = `${path}:${entry.name}`;
        const offset = await entryDataOffset(handle, entry, path);
        if (entry.method === 0) return npyAt(handle, offset, offset + entry.size, label, async () => {});
        if (entry.method !== 8) throw new NpzError(`${label}: zip compression method ${entry.method} is not supported (stored or deflated).`);
        const compressed = new Uint8Array(entry.compressedSize);
        await handle.read(compressed, 0, compressed.length, offset);
        return npyInMemory(parseNpy(inflateSync(compressed), label), label);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
