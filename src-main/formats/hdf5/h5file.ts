// A small read-only view of an HDF5 file over h5wasm (ESM, loaded lazily with
// `import('h5wasm/node')`). Keras importers read attributes (model_config, weight_names)
// and float datasets through it; h5wasm's types never leak past this module.
import { open as openFile, stat } from 'node:fs/promises';
import { InputError } from '../../errors';

export class Hdf5FormatError extends InputError {
  override name = 'Hdf5FormatError';
}

type H5Module = typeof import('h5wasm/node');
type H5Group = InstanceType<H5Module['Group']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

let loaded: Promise<H5Module> | undefined;

async function h5(): Promise<H5Module> {
  loaded ??= (async () => {
    const mod = await import('h5wasm/node');
    const wasm = await mod.ready;
    // Turn HDF5's diagnostic dump on stderr into thrown errors that we wrap.
    wasm.activate_throwing_error_handler();
    return mod;
  })();
  return loaded;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with an HDF5 superblock signature (at offset 0). */
export function isHdf5(head: Uint8Array): boolean {
  return head.length >= 8 && SIGNATURE.every((b, i) => head[i] === b);
}

function readAddress(view: DataView, offset: number, size: number): number {
  if (size === 8) return Number(view.getBigUint64(offset, true));
  if (size === 4) return view.getUint32(offset, true);
  if (size === 2) return view.getUint16(offset, true);
  throw new Hdf5FormatError(`unsupported HDF5 offset size ${size}`);
}

/** End-of-file address the superblock declares, so a truncated file gets a clear error
 *  instead of HDF5's multi-line error stack. Returns undefined when it cannot tell. */
function declaredEndOfFile(head: Uint8Array): number | undefined {
  if (!isHdf5(head) || head.length < 64) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = head[8]!;
  if (version === 0 || version === 1) {
    const offsetSize = head[13]!;
    const base = version === 0 ? 24 : 28;
    return readAddress(view, base + 2 * offsetSize, offsetSize);
  }
  if (version === 2 || version === 3) {
    const offsetSize = head[9]!;
    return readAddress(view, 12 + 2 * offsetSize, offsetSize);
  }
  return undefined;
}

export interface Hdf5Dataset {
  path: string;
  shape: number[];
  /** Values converted to float32 (weights are float32/float16/float64 in Keras files). */
  readFloat32(): Float32Array;
}

export class Hdf5File {
  private constructor(
    readonly fileName: string,
    private readonly mod: H5Module,
    private readonly file: InstanceType<H5Module['File']>,
  ) {}

  static async open(path: string): Promise<Hdf5File> {
    const info = await stat(path).catch(() => null);
    if (!info || !info.isFile()) throw new Hdf5FormatError(`${path}: file not found.`);
    const handle = await openFile(path, 'r');
    const head = new Uint8Array(Math.min(4096, info.size));
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    if (!isHdf5(head)) throw new Hdf5FormatError(`${path}: not an HDF5 file (missing the \\x89HDF signature).`);
    const eof = declaredEndOfFile(head);
    if (eof !== undefined && eof > info.size) {
      throw new Hdf5FormatError(
        `${path}: HDF5 file is truncated (${info.size} bytes, the superblock declares ${eof}); copy the file again.`,
      );
    }
    const mod = await h5();
    try {
      const file = new mod.File(path, 'r');
      return new Hdf5File(path, mod, file);
    } catch (error) {
      throw new Hdf5FormatError(`${path}: HDF5 library cannot open the file (${firstLine(error)}).`);
    }
  }

  close(): void {
    this.file.close();
  }

  private entity(path: string): unknown {
    try {
      return this.file.get(path);
    } catch (error) {
      throw new Hdf5FormatError(`${this.fileName}: cannot read '${path}' (${firstLine(error)}).`);
    }
  }

  has(path: string): boolean {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '/';
    const leaf = path.slice(path.lastIndexOf('/') + 1);
    const group = parent === '/' ? this.file : this.entity(parent);
    if (!(group instanceof this.mod.Group)) return false;
    return group.keys().includes(leaf);
  }

  isGroup(path: string): boolean {
    return this.entity(path) instanceof this.mod.Group;
  }

  /** Child names of a group, in the file's (alphabetical) order. */
  keys(path = '/'): string[] {
    const group = path === '/' ? this.file : this.entity(path);
    if (!(group instanceof this.mod.Group)) throw new Hdf5FormatError(`${this.fileName}: '${path}' is not a group.`);
    return (group as H5Group).keys();
  }

  /** A string or string-list attribute (Keras stores layer_names / weight_names this way). */
  attr(path: string, name: string): string | string[] | undefined {
    const holder = path === '/' ? this.file : this.entity(path);
    if (!(holder instanceof this.mod.Group) && !(holder instanceof this.mod.Dataset)) return undefined;
    const attrs = (holder as H5Group).attrs;
    if (!(name in attrs)) return undefined;
    const value = attrs[name]!.value;
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => decode(v));
    if (value instanceof Uint8Array) return new TextDecoder().decode(value);
    if (value === null || value === undefined) return undefined;
    return String(value);
  }

  dataset(path: string): Hdf5Dataset {
    const entity = this.entity(path);
    if (!(entity instanceof this.mod.Dataset)) throw new Hdf5FormatError(`${this.fileName}: '${path}' is not a dataset.`);
    const ds = entity as H5Dataset;
    const fileName = this.fileName;
    return {
      path,
      shape: ds.shape ?? [],
      readFloat32(): Float32Array {
        let value: unknown;
        try {
          value = ds.value;
        } catch (error) {
          throw new Hdf5FormatError(`${fileName}: cannot read dataset '${path}' (${firstLine(error)}).`);
        }
        return toFloat32(value, ds.metadata, `${fileName}: dataset '${path}'`);
      },
    };
  }
}

function decode(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // HDF5 stacks start with a banner; the innermost 'minor:' line says the most.
  const minors = lines.filter((l) => l.startsWith('minor:')).map((l) => l.slice(6).trim());
  return minors.at(-1) ?? lines[0] ?? 'unknown error';
}

interface Float16Meta {
  type: number;
  size: number;
}

function toFloat32(value: unknown, meta: Float16Meta, what: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  // h5wasm returns float16 as Uint16 bits on some builds.
  if (value instanceof Uint16Array && meta.size === 2 && meta.type === 1) return halfToFloat(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Float32Array.from(value as unknown as ArrayLike<number>, Number);
  }
  if (typeof value === 'number') return Float32Array.of(value);
  throw new Hdf5FormatError(`${what} is not numeric.`);
}

export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}
