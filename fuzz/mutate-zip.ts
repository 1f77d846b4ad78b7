// Structure-aware mutation of zip archives (.keras, .npz): one member is mutated (JSON swaps for
// config.json, a number in the header for .npy members, bytes otherwise) and the archive is
// written again, so the mutation reaches the member's parser instead of the zip reader.
import { unzipSync, zipSync } from 'fflate';
import { mutateBytes, mutateJson, pick, type Mutation, type Rng } from './mutate';

// Shapes and sizes a hostile .npy header may declare: empty, negative, huge, a bomb.
const NPY_SHAPES = ['()', '(0,)', '(-1, 4)', '(6, 4, 4, 3, 1)', '(1073741824,)', '(100000, 100000)', '(6, 48)', '(2, 4, 4, 3)', '(7, 4, 4, 3)', '(9007199254740993,)'];

function mutateNpyHeader(bytes: Uint8Array, rng: Rng): Mutation<Uint8Array> | undefined {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 256)));
  const match = /'shape'\s*:\s*\([^)]*\)/.exec(text);
  if (!match) return undefined;
  const shape = pick(rng, NPY_SHAPES);
  const replaced = text.slice(0, match.index) + `'shape': ${shape}` + text.slice(match.index + match[0].length);
  const header = new Uint8Array(Array.from(replaced, (c) => c.charCodeAt(0) & 0xff));
  const out = new Uint8Array(header.length + bytes.length - Math.min(bytes.length, 256));
  out.set(header);
  out.set(bytes.subarray(Math.min(bytes.length, 256)), header.length);
  // Keep the declared header length consistent with the new text when it changed size.
  new DataView(out.buffer).setUint16(8, new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true) + header.length - Math.min(bytes.length, 256), true);
  return { value: out, how: `npy shape -> ${shape}` };
}

export function mutateZipMember(archive: Uint8Array, rng: Rng): Mutation<Uint8Array> | undefined {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(archive);
  } catch {
    return undefined;
  }
  const names = Object.keys(members);
  if (names.length === 0) return undefined;
  const name = pick(rng, names);
  const data = members[name]!;
  let m: Mutation<Uint8Array> | undefined;
  if (name.endsWith('.json')) {
    const json = mutateJson(new TextDecoder().decode(data), rng);
    if (json) m = { value: new TextEncoder().encode(json.value), how: json.how };
  } else if (name.endsWith('.npy') && rng() < 0.5) {
    m = mutateNpyHeader(data, rng);
  }
  m ??= mutateBytes(data, rng);
  const level = rng() < 0.5 ? 0 : 6;
  const files = Object.fromEntries(names.map((n) => [n, [n === name ? m.value : members[n]!, { level }] as [Uint8Array, { level: 0 | 6 }]]));
  return { value: zipSync(files), how: `member ${name} (level ${level}): ${m.how}` };
}
