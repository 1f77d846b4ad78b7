// A bounds-checked flatbuffer reader. The `flatbuffers` runtime trusts its input (reads past
// the end return garbage); a model file from a user must never crash or hang the app, so every
// offset here is checked and a bad one raises FlatbufferBoundsError naming where it happened.

export class FlatbufferBoundsError extends Error {
  override name = 'FlatbufferBoundsError';
}

export interface VectorRef {
  /** Absolute byte position of element 0. */
  start: number;
  length: number;
}

export class FlatReader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > this.bytes.length) {
      throw new FlatbufferBoundsError(`${what} out of range at byte ${pos} (file has ${this.bytes.length} bytes)`);
    }
  }

  u8(pos: number): number {
    this.check(pos, 1, 'byte');
    return this.view.getUint8(pos);
  }
  i32(pos: number): number {
    this.check(pos, 4, 'int32');
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4, 'uint32');
    return this.view.getUint32(pos, true);
  }

  identifier(): string {
    if (this.bytes.length < 8) return '';
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  root(what: string): FlatTable {
    return this.table(this.u32(0), what);
  }

  table(pos: number, what: string): FlatTable {
    this.check(pos, 4, `${what} table offset`);
    const vtable = pos - this.i32(pos);
    this.check(vtable, 4, `${what} vtable`);
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new FlatbufferBoundsError(`${what} vtable size ${vtableSize} is invalid at byte ${vtable}`);
    this.check(vtable, vtableSize, `${what} vtable`);
    this.check(pos, tableSize, `${what} table`);
    return new FlatTable(this, pos, vtable, vtableSize, tableSize, what);
  }
}

export class FlatTable {
  constructor(
    readonly reader: FlatReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of field `id`, or 0 when absent. */
  field(id: number, size: number): number {
    const slot = 4 + id * 2;
    if (slot + 2 > this.vtableSize) return 0;
    const rel = this.reader.view.getUint16(this.vtable + slot, true);
    if (rel === 0) return 0;
    if (rel + size > this.tableSize) {
      throw new FlatbufferBoundsError(`${this.what} field ${id} lies outside its table at byte ${this.pos}`);
    }
    return this.pos + rel;
  }

  /** Absolute position of the vtable slot of field `id`, or -1 when the vtable is shorter. */
  slotPosition(id: number): number {
    const slot = 4 + id * 2;
    return slot + 2 > this.vtableSize ? -1 : this.vtable + slot;
  }

  has(id: number): boolean {
    return this.field(id, 1) !== 0;
  }

  bool(id: number, fallback = false): boolean {
    const p = this.field(id, 1);
    return p ? this.reader.view.getUint8(p) !== 0 : fallback;
  }
  i8(id: number, fallback = 0): number {
    const p = this.field(id, 1);
    return p ? this.reader.view.getInt8(p) : fallback;
  }
  u8(id: number, fallback = 0): number {
    const p = this.field(id, 1);
    return p ? this.reader.view.getUint8(p) : fallback;
  }
  i16(id: number, fallback = 0): number {
    const p = this.field(id, 2);
    return p ? this.reader.view.getInt16(p, true) : fallback;
  }
  u16(id: number, fallback = 0): number {
    const p = this.field(id, 2);
    return p ? this.reader.view.getUint16(p, true) : fallback;
  }
  i32(id: number, fallback = 0): number {
    const p = this.field(id, 4);
    return p ? this.reader.view.getInt32(p, true) : fallback;
  }
  u32(id: number, fallback = 0): number {
    const p = this.field(id, 4);
    return p ? this.reader.view.getUint32(p, true) : fallback;
  }
  i64(id: number, fallback = 0): number {
    const p = this.field(id, 8);
    return p ? Number(this.reader.view.getBigInt64(p, true)) : fallback;
  }
  u64(id: number, fallback = 0): number {
    const p = this.field(id, 8);
    return p ? Number(this.reader.view.getBigUint64(p, true)) : fallback;
  }
  f32(id: number, fallback = 0): number {
    const p = this.field(id, 4);
    return p ? this.reader.view.getFloat32(p, true) : fallback;
  }

  private indirect(id: number): number {
    const p = this.field(id, 4);
    if (!p) return 0;
    const target = p + this.reader.u32(p);
    this.reader.check(target, 4, `${this.what} field ${id} offset`);
    return target;
  }

  string(id: number): string | undefined {
    const bytes = this.bytesOf(id);
    return bytes === undefined ? undefined : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }

  table(id: number, what: string): FlatTable | null {
    const target = this.indirect(id);
    return target ? this.reader.table(target, what) : null;
  }

  vector(id: number, elementSize: number): VectorRef | null {
    const target = this.indirect(id);
    if (!target) return null;
    const length = this.reader.u32(target);
    this.reader.check(target + 4, length * elementSize, `${this.what} vector ${id}`);
    return { start: target + 4, length };
  }

  /** A view into the file (no copy) of a [ubyte] field. */
  bytesOf(id: number): Uint8Array | undefined {
    const v = this.vector(id, 1);
    return v ? this.reader.bytes.subarray(v.start, v.start + v.length) : undefined;
  }

  i32s(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.reader.view.getInt32(v.start + i * 4, true);
    return out;
  }
  u32s(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.reader.view.getUint32(v.start + i * 4, true);
    return out;
  }
  u16s(id: number): number[] | undefined {
    const v = this.vector(id, 2);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.reader.view.getUint16(v.start + i * 2, true);
    return out;
  }
  f32s(id: number): number[] | undefined {
    const v = this.vector(id, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.reader.view.getFloat32(v.start + i * 4, true);
    return out;
  }
  i64s(id: number): number[] | undefined {
    const v = this.vector(id, 8);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(this.reader.view.getBigInt64(v.start + i * 8, true));
    return out;
  }
  bools(id: number): boolean[] | undefined {
    const v = this.vector(id, 1);
    if (!v) return undefined;
    return [...this.reader.bytes.subarray(v.start, v.start + v.length)].map((b) => b !== 0);
  }

  tables(id: number, what: string): FlatTable[] {
    const v = this.vector(id, 4);
    if (!v) return [];
    const out: FlatTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const p = v.start + i * 4;
      out.push(this.reader.table(p + this.reader.u32(p), `${what}[${i}]`));
    }
    return out;
  }
}
