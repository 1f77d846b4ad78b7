// The central directory of a zip archive (with zip64), read from disk without loading the
// members, so that stored (uncompressed) .npz members can be read row by row in place.
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors';

export class ZipFormatError extends InputError {
  override name = 'ZipFormatError';
}

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readAt(handle: FileHandle, position: number, length: number): Promise<DataView> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return new DataView(buffer.buffer, 0, bytesRead);
}

function u64(v: DataView, at: number): number {
  return Number(v.getBigUint64(at, true));
}

export async function readZipIndex(handle: FileHandle, size: number, label: string): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 65535 + 22);
  const tail = await readAt(handle, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0 && eocd < 0; i--) if (tail.getUint32(i, true) === EOCD) eocd = i;
  if (eocd < 0) throw new ZipFormatError(`${label} is not a zip archive (no end-of-central-directory record); save it with numpy.savez.`);
  let count = tail.getUint16(eocd + 10, true);
  let cdSize = tail.getUint32(eocd + 12, true);
  let cdOffset = tail.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.getUint32(locator, true) !== ZIP64_LOCATOR) throw new ZipFormatError(`${label}: zip64 archive without its locator.`);
    const record = await readAt(handle, Math.min(u64(tail, locator + 8), size), 56);
    if (record.byteLength < 56 || record.getUint32(0, true) !== ZIP64_EOCD) throw new ZipFormatError(`${label}: bad zip64 end-of-central-directory record.`);
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (!(cdOffset + cdSize <= size)) throw new ZipFormatError(`${label}: damaged zip (the central directory at ${cdOffset}+${cdSize} lies past the end of the ${size}-byte file).`);
  const cd = await readAt(handle, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > cd.byteLength || cd.getUint32(at, true) !== CENTRAL) throw new ZipFormatError(`${label}: damaged zip central directory.`);
    const nameLength = cd.getUint16(at + 28, true);
    const extraLength = cd.getUint16(at + 30, true);
    const commentLength = cd.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength > cd.byteLength) throw new ZipFormatError(`${label}: damaged zip central directory (entry ${k} runs past its end).`);
    const name = new TextDecoder().decode(new Uint8Array(cd.buffer, at + 46, nameLength));
    const entry: ZipEntry = {
      name,
      method: cd.getUint16(at + 10, true),
      compressedSize: cd.getUint32(at + 20, true),
      size: cd.getUint32(at + 24, true),
      localHeaderOffset: cd.getUint32(at + 42, true),
    };
    // zip64 extra field: the 64-bit values of the fields saturated above, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = cd.getUint16(e, true);
      const length = cd.getUint16(e + 2, true);
      if (id === 0x0001 && e + 4 + length <= cd.byteLength) {
        let p = e + 4;
        if (entry.size === 0xffffffff && p + 8 <= e + 4 + length) {
          entry.size = u64(cd, p);
          p += 8;
        }
        if (entry.compressedSize === 0xffffffff && p + 8 <= e + 4 + length) {
          entry.compressedSize = u64(cd, p);
          p += 8;
        }
        if (entry.localHeaderOffset === 0xffffffff && p + 8 <= e + 4 + length) entry.localHeaderOffset = u64(cd, p);
      }
      e += 4 + length;
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Byte offset where an entry's data starts (after its local header). */
export async function entryDataOffset(handle: FileHandle, entry: ZipEntry, label: string): Promise<number> {
  const local = await readAt(handle, entry.localHeaderOffset, 30);
  if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL) throw new ZipFormatError(`${label}: damaged local header of ${entry.name}.`);
  return entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
}
