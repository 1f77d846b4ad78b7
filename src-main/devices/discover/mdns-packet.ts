// DNS messages as mDNS uses them (RFC 1035 wire format, RFC 6762 additions): enough to ask for
// a host's address or browse a service type, and to read the answers with name compression.
// Only the record types discovery reads are decoded; the others are kept as raw bytes.

export const RR = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
const CLASS_IN = 1;
/** Top bit of a question's class: "unicast response wanted" (QU); of a record's class: cache-flush. */
const CLASS_TOP_BIT = 0x8000;
const MAX_POINTER_HOPS = 32;

export class DnsPacketError extends Error {
  override name = 'DnsPacketError';
}

export interface DnsQuestion {
  name: string;
  type: number;
  /** Ask responders to answer by unicast (RFC 6762 §5.4). */
  unicastResponse?: boolean;
}

export type DnsRecordData =
  | { type: 1; address: string }
  | { type: 28; address: string }
  | { type: 12; target: string }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 16; entries: string[] }
  | { type: number; raw: Uint8Array };

export type DnsRecord = { name: string; ttl: number; cacheFlush: boolean } & DnsRecordData;

export interface DnsMessage {
  id: number;
  response: boolean;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((p) => p.length > 0);
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const label = Buffer.from(part, 'utf8');
    if (label.length > 63) throw new DnsPacketError(`DNS label '${part}' is longer than 63 bytes.`);
    chunks.push(Buffer.from([label.length]), label);
  }
  chunks.push(Buffer.from([0]));
  return Buffer.concat(chunks);
}

function recordData(record: DnsRecord): Buffer {
  if ('raw' in record) return Buffer.from(record.raw);
  switch (record.type) {
    case RR.A: {
      const parts = (record as { address: string }).address.split('.').map(Number);
      if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new DnsPacketError(`not an IPv4 address: ${(record as { address: string }).address}.`);
      return Buffer.from(parts);
    }
    case RR.PTR:
      return encodeName((record as { target: string }).target);
    case RR.SRV: {
      const srv = record as { priority: number; weight: number; port: number; target: string };
      const head = Buffer.alloc(6);
      head.writeUInt16BE(srv.priority, 0);
      head.writeUInt16BE(srv.weight, 2);
      head.writeUInt16BE(srv.port, 4);
      return Buffer.concat([head, encodeName(srv.target)]);
    }
    case RR.TXT: {
      const entries = (record as { entries: string[] }).entries;
      return Buffer.concat((entries.length ? entries : ['']).map((e) => Buffer.concat([Buffer.from([Buffer.byteLength(e)]), Buffer.from(e)])));
    }
    default:
      throw new DnsPacketError(`cannot encode DNS record type ${record.type} without raw data.`);
  }
}

function encodeRecord(record: DnsRecord): Buffer {
  const data = recordData(record);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(CLASS_IN | (record.cacheFlush ? CLASS_TOP_BIT : 0), 2);
  fixed.writeUInt32BE(record.ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(record.name), fixed, data]);
}

/** The wire bytes of a message (names written in full: no compression on encode). */
export function encodeDnsMessage(message: Partial<DnsMessage> & { id?: number }): Buffer {
  const questions = message.questions ?? [];
  const answers = message.answers ?? [];
  const authorities = message.authorities ?? [];
  const additionals = message.additionals ?? [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(message.id ?? 0, 0);
  // A response is authoritative (AA), as mDNS responders set it.
  header.writeUInt16BE(message.response ? 0x8400 : 0, 2);
  header.writeUInt16BE(questions.length, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(authorities.length, 8);
  header.writeUInt16BE(additionals.length, 10);
  const body = questions.map((q) => {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(CLASS_IN | (q.unicastResponse ? CLASS_TOP_BIT : 0), 2);
    return Buffer.concat([encodeName(q.name), tail]);
  });
  return Buffer.concat([header, ...body, ...[...answers, ...authorities, ...additionals].map(encodeRecord)]);
}

class Reader {
  constructor(private readonly bytes: Buffer, public offset = 0) {}
  need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) throw new DnsPacketError(`DNS message ends inside ${what} (offset ${this.offset}, ${n} more bytes expected).`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  take(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  /** A name at the current offset, following compression pointers (bounded: no loops). */
  name(): string {
    const labels: string[] = [];
    let at = this.offset;
    let jumped = false;
    for (let hops = 0; ; ) {
      if (at >= this.bytes.length) throw new DnsPacketError(`DNS name runs past the end of the message (offset ${at}).`);
      const len = this.bytes[at]!;
      if (len === 0) {
        if (!jumped) this.offset = at + 1;
        return labels.join('.');
      }
      if ((len & 0xc0) === 0xc0) {
        if (at + 1 >= this.bytes.length) throw new DnsPacketError(`DNS name pointer cut short at offset ${at}.`);
        if (++hops > MAX_POINTER_HOPS) throw new DnsPacketError('DNS name compression pointers form a loop.');
        if (!jumped) this.offset = at + 2;
        jumped = true;
        at = ((len & 0x3f) << 8) | this.bytes[at + 1]!;
        continue;
      }
      if (len > 63) throw new DnsPacketError(`DNS label length ${len} at offset ${at} is invalid.`);
      if (at + 1 + len > this.bytes.length) throw new DnsPacketError(`DNS label at offset ${at} runs past the end of the message.`);
      labels.push(this.bytes.subarray(at + 1, at + 1 + len).toString('utf8'));
      at += 1 + len;
    }
  }
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Shorten the longest run of zero groups to '::', as addresses are usually written.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

function readRecord(r: Reader, bytes: Buffer): DnsRecord {
  const name = r.name();
  const type = r.u16('a record type');
  const klass = r.u16('a record class');
  const ttl = r.u32('a record TTL');
  const length = r.u16('a record length');
  const start = r.offset;
  r.need(length, `the data of ${name}`);
  const end = start + length;
  const base = { name, ttl, cacheFlush: (klass & CLASS_TOP_BIT) !== 0 };
  let record: DnsRecord;
  if (type === RR.A && length === 4) record = { ...base, type: RR.A, address: [...bytes.subarray(start, end)].join('.') };
  else if (type === RR.AAAA && length === 16) record = { ...base, type: RR.AAAA, address: ipv6(bytes.subarray(start, end)) };
  else if (type === RR.PTR) record = { ...base, type: RR.PTR, target: r.name() };
  else if (type === RR.SRV && length >= 7) {
    const priority = r.u16('SRV priority');
    const weight = r.u16('SRV weight');
    const port = r.u16('SRV port');
    record = { ...base, type: RR.SRV, priority, weight, port, target: r.name() };
  } else if (type === RR.TXT) {
    const entries: string[] = [];
    const sub = new Reader(bytes.subarray(0, end), start);
    while (sub.offset < end) entries.push(sub.take(sub.u8('a TXT string length'), 'a TXT string').toString('utf8'));
    record = { ...base, type: RR.TXT, entries: entries.filter((e) => e.length > 0) };
  } else record = { ...base, type, raw: new Uint8Array(bytes.subarray(start, end)) };
  r.offset = end;
  return record;
}

/** Decodes one DNS message; a malformed one throws DnsPacketError (the caller skips it). */
export function decodeDnsMessage(bytes: Buffer): DnsMessage {
  const r = new Reader(bytes);
  const id = r.u16('the header');
  const flags = r.u16('the header');
  const counts = [r.u16('the header'), r.u16('the header'), r.u16('the header'), r.u16('the header')] as const;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = r.name();
    const type = r.u16('a question type');
    const klass = r.u16('a question class');
    questions.push({ name, type, unicastResponse: (klass & CLASS_TOP_BIT) !== 0 });
  }
  const records = (n: number) => Array.from({ length: n }, () => readRecord(r, bytes));
  return { id, response: (flags & 0x8000) !== 0, questions, answers: records(counts[1]), authorities: records(counts[2]), additionals: records(counts[3]) };
}
