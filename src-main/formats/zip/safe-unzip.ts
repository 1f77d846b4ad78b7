// Safe reading of zip archives (Keras 3 `.keras` files) with fflate: entry names must be
// relative and stay inside the archive (no `..`, no absolute or drive paths), and each wanted
// member is inflated into a buffer of the size the archive declares for it, after that size was
// checked against the caller's cap for the member and against a compression-ratio cap, so a zip
// bomb is refused before it is inflated and a lying size cannot make the output grow.
import { inflateSync } from 'fflate';
import { InputError } from '../../errors';
import { formatBytes } from '../model-limits';

export class ZipFormatError extends InputError {
  override name = 'ZipFormatError';
}

export interface ZipLimits {
  /** Max uncompressed bytes of one wanted member, by name (the caller knows what each needs). */
  maxMemberBytes: (name: string) => number;
  /** Max uncompressed/compressed ratio of a member over 1 MiB. */
  maxRatio: number;
  maxEntries: number;
}

/**
 * Model weights (float32 mostly) deflate to 80–95% of their size; 20× is far above what a real
 * member reaches and far below a bomb (a GiB of zeros deflates ~1000×).
 */
export const MAX_MEMBER_RATIO = 20;

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxMemberBytes: () => 2 * 1024 ** 3, maxRatio: MAX_MEMBER_RATIO, maxEntries: 10000 };

interface CentralEntry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
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
    const nameLen = view.getUint16(offset + 28, true);
    const extraLen = view.getUint16(offset + 30, true);
    const commentLen = view.getUint16(offset + 32, true);
    if (offset + 46 + nameLen > bytes.length) throw new ZipFormatError(`${label}: corrupt zip central directory (entry ${k} name).`);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLen));
    entries.push({
      name,
      method: view.getUint16(offset + 10, true),
      compressed: view.getUint32(offset + 20, true),
      uncompressed: view.getUint32(offset + 24, true),
      localOffset: view.getUint32(offset + 42, true),
    });
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

/** The member's bytes, inflated into exactly the declared size (never more). */
function readMember(bytes: Uint8Array, entry: CentralEntry, label: string): Uint8Array {
  const where = `${label}: zip member '${entry.name}'`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const local = entry.localOffset;
  if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw new ZipFormatError(`${where} has a damaged local header.`);
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + entry.compressed > bytes.length) throw new ZipFormatError(`${where} is truncated (needs ${entry.compressed} bytes at ${start}, the file has ${bytes.length}).`);
  const data = bytes.subarray(start, start + entry.compressed);
  if (entry.method === 0) {
    if (entry.compressed !== entry.uncompressed) throw new ZipFormatError(`${where} is stored with two different sizes (${entry.compressed} and ${entry.uncompressed}).`);
    return data;
  }
  if (entry.method !== 8) throw new ZipFormatError(`${where} uses compression method ${entry.method} (expected stored or deflate).`);
  const out = new Uint8Array(entry.uncompressed);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(data, { out });
  } catch (error) {
    throw new ZipFormatError(`${where} is damaged (deflate data: ${error instanceof Error ? error.message : String(error)}).`);
  }
  if (inflated.length !== entry.uncompressed) throw new ZipFormatError(`${where} inflates to ${inflated.length} bytes, the archive declares ${entry.uncompressed}.`);
  return inflated;
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
  for (const e of entries) checkEntryName(e.name, label);
  const chosen = entries.filter((e) => wanted(e.name));
  for (const e of chosen) {
    const cap = limits.maxMemberBytes(e.name);
    if (e.uncompressed > cap) {
      throw new ZipFormatError(`${label}: zip member '${e.name}' declares ${formatBytes(e.uncompressed)} uncompressed, more than it may need (${formatBytes(cap)}); refusing a possible zip bomb.`);
    }
    const ratio = e.uncompressed / Math.max(e.compressed, 1);
    if (e.uncompressed > 1024 * 1024 && ratio > limits.maxRatio) {
      throw new ZipFormatError(`${label}: zip member '${e.name}' expands ${Math.round(ratio)}x to ${formatBytes(e.uncompressed)} (limit ${limits.maxRatio}x); refusing a possible zip bomb.`);
    }
  }
  const out = new Map<string, Uint8Array>();
  for (const e of chosen) if (!out.has(e.name)) out.set(e.name, readMember(bytes, e, label));
  return out;
}
