// Hostile archives built in the test, small on disk: a deflate stream of `prefix` followed by
// `zeros` zero bytes, written by hand as one fixed-Huffman block of 258-byte back-references
// (13 bits per 258 bytes, ~160x), and a zip around such members. CRCs are left 0: the readers
// under test must refuse these before they ever inflate them.

class BitWriter {
  private bytes: Uint8Array;
  private bit = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  put(value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      if ((value >>> i) & 1) this.bytes[this.bit >>> 3]! |= 1 << (this.bit & 7);
      this.bit++;
    }
  }
  /** A Huffman code: most significant bit first. */
  code(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.put((value >>> i) & 1, 1);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, (this.bit + 7) >>> 3);
  }
}

function literal(w: BitWriter, byte: number): void {
  if (byte < 144) w.code(0x30 + byte, 8);
  else w.code(0x190 + byte - 144, 9);
}

/** Raw deflate of `prefix` + `zeros` zero bytes (one literal zero, then copies of it). */
export function deflateZeros(prefix: Uint8Array, zeros: number): Uint8Array {
  const pairs = Math.floor(Math.max(zeros - 1, 0) / 258);
  const w = new BitWriter(prefix.length * 2 + Math.ceil((pairs * 13) / 8) + 600);
  w.put(1, 1); // final block
  w.put(1, 2); // fixed Huffman
  for (const b of prefix) literal(w, b);
  if (zeros > 0) literal(w, 0);
  for (let i = 0; i < pairs; i++) {
    w.code(0xc5, 8); // length 258 (symbol 285)
    w.code(0, 5); // distance 1
  }
  for (let i = 0; i < Math.max(zeros - 1, 0) - pairs * 258; i++) literal(w, 0);
  w.code(0, 7); // end of block
  return w.done();
}

export interface RawMember {
  name: string;
  /** The member's bytes as stored in the archive. */
  data: Uint8Array;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  /** The uncompressed size the archive declares. */
  size: number;
}

export function zipOf(members: RawMember[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = enc.encode(m.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, m.method, true);
    lv.setUint32(18, m.data.length, true);
    lv.setUint32(22, m.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, m.method, true);
    cv.setUint32(20, m.data.length, true);
    cv.setUint32(24, m.size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, m.data);
    centrals.push(central);
    offset += local.length + m.data.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
