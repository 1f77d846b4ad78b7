// Safe reading of zip archives (Keras 3 `.keras` files) with fflate: entry names must be
// relative and stay inside the archive (no `..`, no absolute or drive paths), and the
// declared and actual uncompressed sizes are capped in total and by compression ratio,
// so a zip bomb is refused before it is inflated.
import { unzipSync } from 'fflate';
import { InputError } from '../../errors';

export class ZipFormatError extends InputError {
  override name = 'ZipFormatError';
}

export interface ZipLimits {
  /** Max total uncompressed bytes of the entries read. */
  maxTotalBytes: number;
  /** Max uncompressed/compressed ratio of any entry (and of the whole archive). */
  maxRatio: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotalBytes: 4 * 1024 ** 3 - 1, maxRatio: 200, maxEntries: 10000 };

interface CentralEntry {
  name: string;
  compressed: number;
  uncompressed: number;
}

/** Reads the central directory (what the archive declares) without inflating anything. */
function centralDirectory(bytes: Uint8Array, label: string): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError(`${label}: not a zip archive (no end-of-central-directory record); the file may be truncated.`);
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const entries: CentralEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
      throw new ZipFormatError(`${label}: corrupt zip central directory (entry ${k}).`);
    }
    const compressed = view.getUint32(offset + 20, true);
    const uncompressed = view.getUint32(offset + 24, true);
    const nameLen = view.getUint16(offset + 28, true);
    const extraLen = view.getUint16(offset + 30, true);
    const commentLen = view.getUint16(offset + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLen));
    entries.push({ name, compressed, uncompressed });
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export function checkEntryName(name: string, label: string): void {
  const parts = name.split(/[\\/]/);
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name) || parts.includes('..')) {
    throw new ZipFormatError(`${label}: unsafe zip entry '${name}' (absolute path or '..'); refusing to read the archive.`);
  }
}

/** Returns the entries whose names pass `wanted` (all by default), checked and inflated. */
export function safeUnzip(
  bytes: Uint8Array,
  label: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
  wanted: (name: string) => boolean = () => true,
): Map<string, Uint8Array> {
  const entries = centralDirectory(bytes, label);
  if (entries.length > limits.maxEntries) throw new ZipFormatError(`${label}: zip has ${entries.length} entries (limit ${limits.maxEntries}).`);
  let total = 0;
  for (const e of entries) {
    checkEntryName(e.name, label);
    if (!wanted(e.name)) continue;
    total += e.uncompressed;
    const ratio = e.uncompressed / Math.max(e.compressed, 1);
    if (e.uncompressed > 1024 * 1024 && ratio > limits.maxRatio) {
      throw new ZipFormatError(`${label}: zip entry '${e.name}' expands ${Math.round(ratio)}x (limit ${limits.maxRatio}x); refusing a possible zip bomb.`);
    }
  }
  if (total > limits.maxTotalBytes) {
    throw new ZipFormatError(`${label}: zip declares ${total} uncompressed bytes (limit ${limits.maxTotalBytes}); refusing a possible zip bomb.`);
  }
  // Declared sizes can lie: fflate's filter sees each entry's real header sizes, and the
  // inflated output is re-checked against the caps below.
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        checkEntryName(f.name, label);
        if (f.originalSize > limits.maxTotalBytes || (f.originalSize > 1024 * 1024 && f.originalSize / Math.max(f.size, 1) > limits.maxRatio)) {
          throw new ZipFormatError(`${label}: zip entry '${f.name}' is too large once inflated; refusing a possible zip bomb.`);
        }
        return wanted(f.name);
      },
    });
  } catch (error) {
    if (error instanceof ZipFormatError) throw error;
    throw new ZipFormatError(`${label}: cannot read zip (${error instanceof Error ? error.message : String(error)}).`);
  }
  const out = new Map<string, Uint8Array>();
  let inflated = 0;
  for (const [name, data] of Object.entries(files)) {
    inflated += data.length;
    if (inflated > limits.maxTotalBytes || inflated / Math.max(bytes.length, 1) > limits.maxRatio * 4) {
      throw new ZipFormatError(`${label}: zip inflates beyond the size limits; refusing a possible zip bomb.`);
    }
    out.set(name, data);
  }
  return out;
}
