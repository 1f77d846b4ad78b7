// NumPy .npz archives: a zip of .npy members (stored or deflated). Whole-archive read/write with
// fflate, and `openNpz` for row access without loading stored (numpy.savez) members.
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { inflateSync, unzipSync, zipSync } from 'fflate';
import { encodeNpy, npyAt, NpyError, npyInMemory, parseNpy, type NpyArray, type NpyFile } from './npy';
import { entryDataOffset, readZipIndex, type ZipEntry } from './zip-index';
import { formatBytes } from '../formats/model-limits';

export class NpzError extends NpyError {
  override name = 'NpzError';
}

/** Arrays by name (the member name without `.npy`), in archive order. */
export function parseNpz(bytes: Uint8Array, source = 'archive'): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  // A deflated member is inflated whole: refuse it by its declared size first (a small archive
  // can hold a member that inflates to GiBs), as row access does (inflateMember).
  const tooLarge = (file: { name: string; originalSize: number; compression: number }) => file.compression !== 0 && file.originalSize > MAX_COMPRESSED_MEMBER_BYTES;
  let refused: { name: string; originalSize: number } | undefined;
  try {
    members = unzipSync(bytes, {
      filter: (file) => {
        if (tooLarge(file)) refused ??= file;
        return !refused;
      },
    });
  } catch (error) {
    throw new NpzError(`${source} is not a readable .npz (zip) archive: ${(error as Error).message}; save it with numpy.savez.`);
  }
  if (refused) {
    throw new NpzError(`${source}:${refused.name}: compressed member holds ${formatBytes(refused.originalSize)}, more than the ${formatBytes(MAX_COMPRESSED_MEMBER_BYTES)} read whole; save the data with numpy.savez (uncompressed members are read row by row).`);
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

/**
 * Largest compressed (numpy.savez_compressed) member read: such a member is inflated whole to be
 * read by row. 512 MiB holds 2,700 float32 samples of 224×224×3, far more than calibration and
 * evaluation use; a bigger set should be saved with numpy.savez, whose members are read row by
 * row in place. The cap is checked on the declared size before inflating, and the output buffer
 * has exactly that size, so a member that lies about it cannot grow.
 */
export const MAX_COMPRESSED_MEMBER_BYTES = 512 * 1024 ** 2;

async function inflateMember(handle: FileHandle, entry: ZipEntry, offset: number, label: string): Promise<Uint8Array> {
  if (entry.size > MAX_COMPRESSED_MEMBER_BYTES) {
    throw new NpzError(`${label}: compressed member holds ${formatBytes(entry.size)}, more than the ${formatBytes(MAX_COMPRESSED_MEMBER_BYTES)} read whole; save the data with numpy.savez (uncompressed members are read row by row).`);
  }
  const { size } = await handle.stat();
  if (offset + entry.compressedSize > size) throw new NpzError(`${label}: member is truncated (needs ${entry.compressedSize} bytes at ${offset}, the file has ${size}).`);
  const compressed = new Uint8Array(entry.compressedSize);
  await handle.read(compressed, 0, compressed.length, offset);
  const out = new Uint8Array(entry.size);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(compressed, { out });
  } catch (error) {
    throw new NpzError(`${label}: damaged compressed data (${error instanceof Error ? error.message : String(error)}); save the file again.`);
  }
  if (inflated.length !== entry.size) throw new NpzError(`${label}: inflates to ${inflated.length} bytes, the archive declares ${entry.size}; the file is damaged.`);
  return inflated;
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
        if (entry.method === 0) {
          const { size } = await handle.stat();
          if (offset + entry.size > size) throw new NpzError(`${label}: member is truncated (declares ${entry.size} bytes at ${offset}, the file has ${size}).`);
          return npyAt(handle, offset, offset + entry.size, label, async () => {});
        }
        if (entry.method !== 8) throw new NpzError(`${label}: zip compression method ${entry.method} is not supported (stored or deflated).`);
        return npyInMemory(parseNpy(await inflateMember(handle, entry, offset, label), label), label);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
