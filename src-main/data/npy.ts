// NumPy .npy files (format versions 1, 2 and 3), C order only. Whole-array parse/encode for
// small arrays, and `openNpy` to read sample rows lazily so calibration can stream big files.
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors';

export class NpyError extends InputError {
  override name = 'NpyError';
}

export type NpyDType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';
export type NpyData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array;

export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: NpyData;
}

const DESCR: Record<string, { dtype: NpyDType; size: number }> = {
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
  i1: { dtype: 'int8', size: 1 },
  u1: { dtype: 'uint8', size: 1 },
  i2: { dtype: 'int16', size: 2 },
  i4: { dtype: 'int32', size: 4 },
  i8: { dtype: 'int64', size: 8 },
  b1: { dtype: 'bool', size: 1 },
};
const DESCR_OF: Record<NpyDType, string> = { float32: '<f4', float64: '<f8', int8: '|i1', uint8: '|u1', int16: '<i2', int32: '<i4', int64: '<i8', bool: '|b1' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  dtype: NpyDType;
  shape: number[];
  /** Byte offset of the data. */
  dataOffset: number;
  itemSize: number;
  bigEndian: boolean;
}

/** Parses the header at the start of `bytes` (needs only the first few hundred bytes). */
export function parseNpyHeader(bytes: Uint8Array, source = 'array'): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(`${source} is not a .npy file (missing \\x93NUMPY magic); save it with numpy.save.`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) [headerLen, start] = [view.getUint16(8, true), 10];
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${source}: truncated .npy header.`);
    [headerLen, start] = [view.getUint32(8, true), 12];
  } else throw new NpyError(`${source}: unsupported .npy format version ${major}.${bytes[7]}; use version 1, 2 or 3.`);
  if (start + headerLen > bytes.length) throw new NpyError(`${source}: truncated .npy header (needs ${start + headerLen} bytes).`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([<>|=]?)([a-zA-Z]\d+)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new NpyError(`${source}: malformed .npy header '${text.trim()}'.`);
  if (fortran[1] === 'True') throw new NpyError(`${source} is stored in Fortran order; save it with numpy.save(np.ascontiguousarray(a)).`);
  const kind = DESCR[descr[2]!];
  if (!kind) throw new NpyError(`${source}: dtype '${descr[1]}${descr[2]}' is not supported (use float32, float64, int8, uint8, int16, int32, int64 or bool).`);
  const dims = shape[1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0) || !Number.isSafeInteger(dims.reduce((n, d) => n * d, 1))) throw new NpyError(`${source}: bad shape in .npy header '${shape[1]}'.`);
  return { dtype: kind.dtype, shape: dims, dataOffset: start + headerLen, itemSize: kind.size, bigEndian: descr[1] === '>' && kind.size > 1 };
}

function typedArray(dtype: NpyDType, bytes: Uint8Array, count: number, bigEndian: boolean, itemSize: number): NpyData {
  // Copy into an aligned buffer (and fix byte order) before viewing it as a typed array.
  const copy = bytes.slice(0, count * itemSize);
  if (bigEndian) for (let i = 0; i < copy.length; i += itemSize) copy.subarray(i, i + itemSize).reverse();
  const b = copy.buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(b, 0, count);
    case 'float64': return new Float64Array(b, 0, count);
    case 'int8': return new Int8Array(b, 0, count);
    case 'uint8': case 'bool': return new Uint8Array(b, 0, count);
    case 'int16': return new Int16Array(b, 0, count);
    case 'int32': return new Int32Array(b, 0, count);
    case 'int64': return new BigInt64Array(b, 0, count);
  }
}

export function parseNpy(bytes: Uint8Array, source = 'array'): NpyArray {
  const h = parseNpyHeader(bytes, source);
  const count = h.shape.reduce((n, d) => n * d, 1);
  const body = bytes.subarray(h.dataOffset);
  if (body.length < count * h.itemSize) throw new NpyError(`${source}: truncated .npy data (expected ${count * h.itemSize} bytes, found ${body.length}).`);
  return { dtype: h.dtype, shape: h.shape, data: typedArray(h.dtype, body, count, h.bigEndian, h.itemSize) };
}

export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(new Uint8Array(await readFile(path)), path);
}

export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((n, d) => n * d, 1);
  if (array.data.length !== count) throw new NpyError(`Array of shape [${array.shape.join(',')}] needs ${count} values, has ${array.data.length}.`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary, ending in a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), total);
  return out;
}

export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await writeFile(path, encodeNpy(array));
}

/** Values as float32 (int64 through Number, bool as 0/1). */
export function npyToFloat32(array: NpyArray): Float32Array {
  if (array.data instanceof Float32Array) return array.data;
  if (array.data instanceof BigInt64Array) return Float32Array.from(array.data, (v) => Number(v));
  return Float32Array.from(array.data as ArrayLike<number>);
}

/** A .npy file opened for reading rows (first-axis slices) without loading it whole. */
export interface NpyFile {
  readonly path: string;
  readonly header: NpyHeader;
  /** Rows [start, start+count) as an array of shape [count, ...shape.slice(1)]. */
  readRows(start: number, count: number): Promise<NpyArray>;
  close(): Promise<void>;
}

/**
 * Rows of a .npy stored at byte `base` of an open file (a plain .npy: base 0; a stored member of
 * a .npz: its data offset). `close` is the caller's: members share the archive's handle.
 */
export async function npyAt(handle: FileHandle, base: number, end: number, label: string, close: () => Promise<void>): Promise<NpyFile> {
  const probe = new Uint8Array(Math.min(65536, Math.max(0, end - base)));
  const { bytesRead } = await handle.read(probe, 0, probe.length, base);
  const header = parseNpyHeader(probe.subarray(0, bytesRead), label);
  const rows = header.shape[0] ?? 1;
  const rowItems = header.shape.slice(1).reduce((n, d) => n * d, 1);
  if (end < base + header.dataOffset + rows * rowItems * header.itemSize) throw new NpyError(`${label}: truncated .npy data.`);
  return {
    path: label,
    header,
    async readRows(start, count) {
      if (start < 0 || start + count > rows) throw new NpyError(`${label}: rows ${start}..${start + count} out of range (has ${rows}).`);
      const buffer = new Uint8Array(count * rowItems * header.itemSize);
      await handle.read(buffer, 0, buffer.length, base + header.dataOffset + start * rowItems * header.itemSize);
      return { dtype: header.dtype, shape: [count, ...header.shape.slice(1)], data: typedArray(header.dtype, buffer, count * rowItems, header.bigEndian, header.itemSize) };
    },
    close,
  };
}

export async function openNpy(path: string): Promise<NpyFile> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await npyAt(handle, 0, size, path, () => handle.close());
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** An in-memory array behind the same row interface (e.g. a deflated .npz member). */
export function npyInMemory(array: NpyArray, label: string): NpyFile {
  const rows = array.shape[0] ?? 1;
  const rowItems = array.shape.slice(1).reduce((n, d) => n * d, 1);
  const itemSize = array.data.BYTES_PER_ELEMENT;
  return {
    path: label,
    header: { dtype: array.dtype, shape: array.shape, dataOffset: 0, itemSize, bigEndian: false },
    async readRows(start, count) {
      if (start < 0 || start + count > rows) throw new NpyError(`${label}: rows ${start}..${start + count} out of range (has ${rows}).`);
      return { dtype: array.dtype, shape: [count, ...array.shape.slice(1)], data: array.data.subarray(start * rowItems, (start + count) * rowItems) as NpyData };
    },
    close: async () => {},
  };
}
