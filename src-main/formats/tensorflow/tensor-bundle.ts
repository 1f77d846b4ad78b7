// Reads a TensorFlow checkpoint bundle (SavedModel `variables/`): `variables.index` is a
// LevelDB-style sorted table whose values are BundleEntryProto records pointing into the
// `variables.data-NNNNN-of-NNNNN` shards. Only uncompressed tables are produced by TF.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors';
import { decodeProto, protoType } from './proto-schema';
import { tfDtypeToArray, type TfArray } from './tf-dtypes';

export class TensorBundleError extends InputError {
  override name = 'TensorBundleError';
}

const TABLE_MAGIC = 0xdb4775248b80fb57n;
const FOOTER_BYTES = 48;

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    readonly where: string,
  ) {}
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new TensorBundleError(`${this.where}: truncated varint.`);
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new TensorBundleError(`${this.where}: malformed varint.`);
    }
  }
  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new TensorBundleError(`${this.where}: entry runs past its block.`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

interface BlockHandle {
  offset: number;
  size: number;
}

function readHandle(c: Cursor): BlockHandle {
  return { offset: c.varint(), size: c.varint() };
}

/** Decodes every (key, value) of one table block. */
function readBlock(bytes: Uint8Array, handle: BlockHandle, where: string): [string, Uint8Array][] {
  if (handle.offset + handle.size + 5 > bytes.length) throw new TensorBundleError(`${where}: block outside the file.`);
  const trailerType = bytes[handle.offset + handle.size];
  if (trailerType !== 0) {
    throw new TensorBundleError(`${where}: compressed table blocks (type ${trailerType}) are not supported.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + handle.offset, handle.size);
  if (handle.size < 4) throw new TensorBundleError(`${where}: block too small.`);
  const restarts = view.getUint32(handle.size - 4, true);
  const dataEnd = handle.offset + handle.size - 4 - restarts * 4;
  if (dataEnd < handle.offset) throw new TensorBundleError(`${where}: bad restart count.`);
  const c = new Cursor(bytes, handle.offset, dataEnd, where);
  const entries: [string, Uint8Array][] = [];
  let lastKey = new Uint8Array(0);
  const decoder = new TextDecoder();
  while (c.pos < dataEnd) {
    const shared = c.varint();
    const nonShared = c.varint();
    const valueLength = c.varint();
    if (shared > lastKey.length) throw new TensorBundleError(`${where}: bad key prefix.`);
    const suffix = c.take(nonShared); // checked against the block before the key is allocated
    const key = new Uint8Array(shared + nonShared);
    key.set(lastKey.subarray(0, shared));
    key.set(suffix, shared);
    entries.push([decoder.decode(key), c.take(valueLength)]);
    lastKey = key;
  }
  return entries;
}

export interface BundleEntry {
  dtype: string;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked CRC-32C of the tensor bytes, as TensorFlow stores it. */
  crc32c: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) with TensorFlow's masking (rotate right 15, add a constant). */
export function maskedCrc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  c = (c ^ 0xffffffff) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export class TensorBundle {
  private readonly shards = new Map<number, Uint8Array>();

  private constructor(
    private readonly prefix: string,
    private readonly numShards: number,
    readonly entries: Map<string, BundleEntry>,
  ) {}

  /** `prefix` is e.g. `<savedmodel>/variables/variables`. */
  static open(prefix: string): TensorBundle {
    const indexPath = `${prefix}.index`;
    if (!existsSync(indexPath)) throw new TensorBundleError(`${indexPath}: missing; a SavedModel needs its variables/ folder.`);
    const bytes = new Uint8Array(readFileSync(indexPath));
    if (bytes.length < FOOTER_BYTES) throw new TensorBundleError(`${indexPath}: too short to be a checkpoint index.`);
    const footerAt = bytes.length - FOOTER_BYTES;
    const magic = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(bytes.length - 8, true);
    if (magic !== TABLE_MAGIC) throw new TensorBundleError(`${indexPath}: not a TensorFlow checkpoint index (bad magic).`);
    const footer = new Cursor(bytes, footerAt, bytes.length - 8, indexPath);
    readHandle(footer); // metaindex: unused
    const indexHandle = readHandle(footer);
    const entries = new Map<string, BundleEntry>();
    const headerType = protoType('BundleHeaderProto');
    const entryType = protoType('BundleEntryProto');
    let numShards = 1;
    for (const [, handleBytes] of readBlock(bytes, indexHandle, indexPath)) {
      const handle = readHandle(new Cursor(handleBytes, 0, handleBytes.length, indexPath));
      for (const [key, value] of readBlock(bytes, handle, indexPath)) {
        if (key === '') {
          const header = decodeProto<{ numShards: number; endianness: number }>(headerType, value, `${indexPath}: checkpoint header`, TensorBundleError, { defaults: true });
          if (header.endianness !== 0) throw new TensorBundleError(`${indexPath}: big-endian checkpoints are not supported.`);
          numShards = header.numShards;
          continue;
        }
        const e = decodeProto<{
          dtype: string;
          shape?: { dim?: { size: number }[] };
          shardId: number;
          offset: number;
          size: number;
          crc32c: number;
          slices?: unknown[];
        }>(entryType, value, `${indexPath}: entry '${key.slice(0, 80)}'`, TensorBundleError, { longs: Number, enums: String, defaults: true });
        if (e.slices && e.slices.length > 0) continue; // partitioned variables: not used by Keras models
        entries.set(key, {
          dtype: e.dtype,
          shape: (e.shape?.dim ?? []).map((d) => Number(d.size)),
          shardId: e.shardId,
          offset: e.offset,
          size: e.size,
          crc32c: e.crc32c >>> 0,
        });
      }
    }
    return new TensorBundle(prefix, numShards, entries);
  }

  private shard(id: number): Uint8Array {
    let data = this.shards.get(id);
    if (!data) {
      const name = `${this.prefix}.data-${String(id).padStart(5, '0')}-of-${String(this.numShards).padStart(5, '0')}`;
      if (!existsSync(name)) throw new TensorBundleError(`${name}: checkpoint shard missing.`);
      data = new Uint8Array(readFileSync(name));
      this.shards.set(id, data);
    }
    return data;
  }

  /** Reads one tensor by checkpoint key. */
  read(key: string): { shape: number[]; dtype: string; data: TfArray } {
    const entry = this.entries.get(key);
    if (!entry) throw new TensorBundleError(`${this.prefix}: checkpoint has no tensor '${key}'.`);
    const shard = this.shard(entry.shardId);
    if (entry.offset + entry.size > shard.length) {
      throw new TensorBundleError(`${this.prefix}: tensor '${key}' lies outside its shard (truncated checkpoint?).`);
    }
    const bytes = shard.slice(entry.offset, entry.offset + entry.size);
    if (maskedCrc32c(bytes) !== entry.crc32c) {
      throw new TensorBundleError(`${this.prefix}: tensor '${key}' fails its checksum (corrupt variables data); re-export the SavedModel.`);
    }
    const data = tfDtypeToArray(entry.dtype, bytes, `${this.prefix}:${key}`);
    const declared = entry.shape.reduce((n, d) => n * d, 1);
    if (!entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || declared !== data.length) {
      throw new TensorBundleError(`${this.prefix}: tensor '${key}' declares shape [${entry.shape.join(', ')}] but holds ${data.length} values (corrupt checkpoint index); re-export the SavedModel.`);
    }
    return { shape: entry.shape, dtype: entry.dtype, data };
  }
}

export function bundlePrefix(savedModelDir: string): string {
  return join(savedModelDir, 'variables', 'variables');
}
