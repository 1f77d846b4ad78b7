// Seeded mutations for the importer fuzz: byte-level (bit flips, truncation, splices, inserted or
// deleted ranges, length/offset fields overwritten with boundary values, numbers in text
// rewritten) and JSON-aware (a value swapped for null, a wrong type, a huge or negative number,
// another node of the same document, or removed). Each returns what it did, for the report.

export type Rng = () => number;

export interface Mutation<T> {
  value: T;
  how: string;
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const below = (rng: Rng, n: number): number => Math.floor(rng() * Math.max(n, 1));

// Values that break length and offset checks: zero, one, sign bits, all ones, just past a size.
const FIELD_VALUES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x10000, 0x100000];

/** An offset biased towards the head and tail of the file, where headers, roots and indexes live. */
function offsetIn(rng: Rng, size: number): number {
  const r = rng();
  if (r < 0.4) return below(rng, Math.min(size, 4096));
  if (r < 0.6) return Math.max(0, size - 1 - below(rng, Math.min(size, 4096)));
  return below(rng, size);
}

function digitRuns(bytes: Uint8Array, limit = 4096): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < bytes.length && runs.length < limit; i++) {
    if (bytes[i]! < 0x30 || bytes[i]! > 0x39) continue;
    let j = i;
    while (j < bytes.length && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
    runs.push([i, j]);
    i = j;
  }
  return runs;
}

const NUMBER_TEXTS = ['0', '-1', '-7', '65536', '2147483648', '999999999999', '1e309', '4294967295', '100000', '3', '1.5', 'nan'];

export function mutateBytes(input: Uint8Array, rng: Rng): Mutation<Uint8Array> {
  const size = input.length;
  if (size === 0) return { value: Uint8Array.of(below(rng, 256)), how: 'grow empty' };
  const kind = pick(rng, ['flip', 'flip', 'truncate', 'splice', 'insert', 'delete', 'field', 'field', 'digits'] as const);
  switch (kind) {
    case 'flip': {
      const out = input.slice();
      const n = 1 + below(rng, 8);
      for (let k = 0; k < n; k++) out[offsetIn(rng, size)]! ^= 1 << below(rng, 8);
      return { value: out, how: `flip ${n} bit(s)` };
    }
    case 'truncate': {
      const at = rng() < 0.5 ? below(rng, size) : offsetIn(rng, size);
      return { value: input.slice(0, at), how: `truncate at ${at}/${size}` };
    }
    case 'splice': {
      const from = below(rng, size);
      const length = 1 + below(rng, Math.min(512, size - from));
      const to = offsetIn(rng, size);
      const out = input.slice();
      out.set(input.subarray(from, from + length).subarray(0, size - to), to);
      return { value: out, how: `splice ${length} B from ${from} to ${to}` };
    }
    case 'insert': {
      const at = offsetIn(rng, size);
      const extra = Uint8Array.from({ length: 1 + below(rng, 64) }, () => below(rng, 256));
      const out = new Uint8Array(size + extra.length);
      out.set(input.subarray(0, at));
      out.set(extra, at);
      out.set(input.subarray(at), at + extra.length);
      return { value: out, how: `insert ${extra.length} B at ${at}` };
    }
    case 'delete': {
      const at = offsetIn(rng, size);
      const length = 1 + below(rng, Math.min(256, size - at));
      const out = new Uint8Array(size - length);
      out.set(input.subarray(0, at));
      out.set(input.subarray(at + length), at);
      return { value: out, how: `delete ${length} B at ${at}` };
    }
    case 'field': {
      const width = pick(rng, [1, 2, 4, 4, 8] as const);
      const at = Math.max(0, Math.min(size - width, offsetIn(rng, size) & ~(Math.min(width, 4) - 1)));
      const value = pick(rng, FIELD_VALUES);
      const out = input.slice();
      const view = new DataView(out.buffer);
      if (width === 1) view.setUint8(at, value & 0xff);
      else if (width === 2) view.setUint16(at, value & 0xffff, true);
      else if (width === 4) view.setUint32(at, value >>> 0, true);
      else view.setBigUint64(at, BigInt(value) * (rng() < 0.5 ? 1n : 0x100000000n), true);
      return { value: out, how: `field u${width * 8}@${at} = ${value}` };
    }
    case 'digits': {
      const runs = digitRuns(input);
      if (runs.length === 0) return mutateBytes(input, rng);
      const [start, end] = pick(rng, runs);
      const text = new TextEncoder().encode(pick(rng, NUMBER_TEXTS));
      const out = new Uint8Array(size - (end - start) + text.length);
      out.set(input.subarray(0, start));
      out.set(text, start);
      out.set(input.subarray(end), start + text.length);
      return { value: out, how: `number at ${start} -> ${new TextDecoder().decode(text)}` };
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every (container, key) slot of the document, so one can be replaced or removed. */
function slots(root: Json): [Json[] | Record<string, Json>, string | number][] {
  const out: [Json[] | Record<string, Json>, string | number][] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        walk(child);
      });
    } else if (node && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) {
        out.push([node, k]);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

const SWAPS: Json[] = [null, true, false, 0, -1, 1.5, 2 ** 31, 1e12, -1e9, '', 'x', 'float32', [], {}, [null], [-1, -1], { class_name: 'X' }];

export function mutateJson(text: string, rng: Rng): Mutation<string> | undefined {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  const all = slots(root);
  if (all.length === 0) return undefined;
  const count = 1 + (rng() < 0.3 ? below(rng, 4) : 0);
  const hows: string[] = [];
  for (let k = 0; k < count; k++) {
    const [container, key] = pick(rng, all);
    const r = rng();
    if (r < 0.15) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      hows.push(`delete ${String(key)}`);
    } else if (r < 0.35) {
      const [other, otherKey] = pick(rng, all);
      const value = (other as Record<string, Json>)[otherKey as string] ?? null;
      (container as Record<string, Json>)[key as string] = structuredClone(value);
      hows.push(`${String(key)} := value of ${String(otherKey)}`);
    } else {
      const value = pick(rng, SWAPS);
      (container as Record<string, Json>)[key as string] = structuredClone(value);
      hows.push(`${String(key)} := ${JSON.stringify(value)}`);
    }
  }
  return { value: JSON.stringify(root), how: `json ${hows.join(', ')}` };
}
