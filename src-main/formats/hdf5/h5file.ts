// A small read-only view of an HDF5 file over h5wasm (ESM, `import('h5wasm/node')`). Keras
// importers read attributes (model_config, weight_names) and float datasets through it;
// h5wasm's types never leak past this module.
import { open as openFile, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors';
import { decodeFloat16 } from '../../graph/float16';
import { MAX_MODEL_PARAMETERS } from '../model-limits';

export class Hdf5FormatError extends InputError {
  override name = 'Hdf5FormatError';
}

/** What the reader worker sends back: every group, attribute and numeric dataset. */
interface Snapshot {
  groups: Record<string, { keys: string[]; attrs: Record<string, string | string[]> }>;
  datasets: Record<string, { shape: number[]; attrs: Record<string, string | string[]>; data?: Float32Array; error?: string }>;
}

// h5wasm is ~4 MB of emscripten JS; loaded through a TypeScript loader (tsx, in tests and
// from-source runs) it takes seconds to import, so the file is read in a worker thread that
// runs without loader hooks and returns a snapshot of the whole (small) Keras file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loading = import(workerData.h5wasm).then(async (mod) => {
  const wasm = await mod.ready;
  wasm.activate_throwing_error_handler();
  return mod;
});
parentPort.on('message', ({ id, path }) => read(path).then(
  ({ out, transfer }) => parentPort.postMessage({ id, ok: true, snapshot: out }, transfer),
  (e) => parentPort.postMessage({ id, ok: false, message: String((e && e.message) || e) }),
));
async function read(path) {
  const mod = await loading;
  const file = new mod.File(path, 'r');
  const out = { groups: {}, datasets: {} };
  const transfer = [];
  const attrsOf = (obj) => {
    const attrs = {};
    for (const name of Object.keys(obj.attrs)) {
      let v;
      try { v = obj.attrs[name].value; } catch { continue; }
      if (typeof v === 'string') attrs[name] = v;
      else if (Array.isArray(v)) attrs[name] = v.map((x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : String(x)));
      else if (v instanceof Uint8Array) attrs[name] = new TextDecoder().decode(v);
      else if (v !== null && v !== undefined) attrs[name] = String(v);
    }
    return attrs;
  };
  const walk = (group, path) => {
    const keys = group.keys();
    out.groups[path] = { keys, attrs: attrsOf(group) };
    for (const key of keys) {
      const child = group.get(key);
      const childPath = path === '/' ? '/' + key : path + '/' + key;
      // Optimizer state (Adam moments) is not needed for inference and doubles the reading.
      if (child instanceof mod.Group) { if (childPath !== '/optimizer_weights') walk(child, childPath); }
      else if (child instanceof mod.Dataset) {
        const entry = { shape: child.shape || [], attrs: attrsOf(child) };
        const count = entry.shape.reduce((a, d) => a * d, 1);
        // A dataset larger than any model may hold (a compressed bomb) is never inflated.
        if (count > workerData.maxValues) { entry.error = 'it declares ' + count + ' values [' + entry.shape.join(', ') + '], more than a model may hold (' + workerData.maxValues + ')'; out.datasets[childPath] = entry; continue; }
        try {
          const v = child.value;
          const meta = child.metadata;
          let data;
          if (v instanceof Float32Array) data = v;
          else if (v instanceof Uint16Array && meta.type === 1 && meta.size === 2) data = v; // float16 bits, converted below
          else if (ArrayBuffer.isView(v)) data = Float32Array.from(v, Number);
          else if (typeof v === 'number') data = Float32Array.of(v);
          if (data instanceof Uint16Array) { entry.half = true; }
          if (data) { entry.data = data; transfer.push(data.buffer); }
        } catch (e) { entry.error = String(e && e.message || e).split(String.fromCharCode(10))[0]; }
        out.datasets[childPath] = entry;
      }
    }
  };
  try {
    walk(file, '/');
  } finally {
    file.close();
  }
  return { out, transfer };
}
`;

interface Reply {
  id: number;
  ok: boolean;
  snapshot?: Snapshot;
  message?: string;
}

// One reader worker per process, started on first use and unref'd while idle so it never
// keeps the process alive; it is replaced if it dies or hangs.
interface PendingRead {
  resolve: (s: Snapshot) => void;
  reject: (e: Error) => void;
  /** The file as named in errors, the file to read, and how long its read may take. */
  label: string;
  path: string;
  budgetMs: number;
  timer?: NodeJS.Timeout;
}
let reader: { worker: Worker; pending: Map<number, PendingRead> } | undefined;
let nextId = 1;

// libhdf5 can loop forever on a malformed file (a fuzzed splice made a cycle in its structure),
// and wasm cannot be interrupted from outside: a read that overruns its budget terminates the
// worker. Reading a real Keras file runs at well over 50 MB/s, so this budget only bites on a
// file that is broken.
const READ_BASE_MS = 15_000;
const READ_MS_PER_MB = 200;
export function readBudgetMs(bytes: number): number {
  return READ_BASE_MS + Math.ceil((bytes / 1e6) * READ_MS_PER_MB);
}

function startReader(): NonNullable<typeof reader> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { h5wasm: import.meta.resolve('h5wasm/node'), maxValues: MAX_MODEL_PARAMETERS } });
  const state = { worker, pending: new Map<number, PendingRead>() };
  worker.on('message', (msg: Reply) => {
    const job = state.pending.get(msg.id);
    if (!job) return;
    state.pending.delete(msg.id);
    clearTimeout(job.timer);
    if (state.pending.size === 0) worker.unref();
    if (msg.ok && msg.snapshot) job.resolve(msg.snapshot);
    else job.reject(new Hdf5FormatError(`${job.label}: not a readable HDF5 file (HDF5 says: ${firstLine(msg.message)}); check that the file is complete.`));
  });
  const fail = (error: unknown): void => {
    if (reader === state) reader = undefined;
    for (const job of state.pending.values()) {
      clearTimeout(job.timer);
      job.reject(new Hdf5FormatError(`${job.label}: HDF5 reader failed (${firstLine(error)}).`));
    }
    state.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(`reader exited with code ${code}`));
  return state;
}

/** The read `id` overran its budget: fail it, stop the stuck worker and give the other files
 *  that were queued behind it to a fresh one. */
function abandonHungRead(state: NonNullable<typeof reader>, id: number): void {
  const hung = state.pending.get(id);
  if (!hung) return;
  const others = [...state.pending.entries()].filter(([other]) => other !== id);
  state.pending.clear();
  if (reader === state) reader = undefined;
  void state.worker.terminate();
  hung.reject(
    new Hdf5FormatError(
      `${hung.label}: the HDF5 reader did not finish in ${Math.round(hung.budgetMs / 1000)} s; the file's structure is likely corrupt (save the model again).`,
    ),
  );
  for (const [, job] of others) {
    clearTimeout(job.timer);
    submit(job);
  }
}

function submit(job: PendingRead): void {
  reader ??= startReader();
  const state = reader;
  const id = nextId++;
  state.worker.ref();
  job.timer = setTimeout(() => abandonHungRead(state, id), job.budgetMs);
  state.pending.set(id, job);
  state.worker.postMessage({ id, path: job.path });
}

function readSnapshot(path: string, label: string, bytes: number): Promise<Snapshot> {
  return new Promise((resolve, reject) => submit({ resolve, reject, label, path, budgetMs: readBudgetMs(bytes) }));
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

function normalizePath(path: string): string {
  const p = ('/' + path).replace(/\/+/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

export class Hdf5File {
  private constructor(
    readonly fileName: string,
    private readonly snapshot: Snapshot,
  ) {}

  /** `label` names the file in errors when `path` is a temporary copy (a .keras member). */
  static async open(path: string, label = path): Promise<Hdf5File> {
    const info = await stat(path).catch(() => null);
    if (!info || !info.isFile()) throw new Hdf5FormatError(`${label}: file not found.`);
    const handle = await openFile(path, 'r');
    const head = new Uint8Array(Math.min(4096, info.size));
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    if (!isHdf5(head)) throw new Hdf5FormatError(`${label}: not an HDF5 file (missing the \\x89HDF signature).`);
    const eof = declaredEndOfFile(head);
    if (eof !== undefined && eof > info.size) {
      throw new Hdf5FormatError(
        `${label}: HDF5 file is truncated (${info.size} bytes, the superblock declares ${eof}); copy the file again.`,
      );
    }
    return new Hdf5File(label, await readSnapshot(path, label, info.size));
  }

  /** Kept for symmetry with open(); the snapshot holds no native resources. */
  close(): void {}

  has(path: string): boolean {
    const p = normalizePath(path);
    return p in this.snapshot.groups || p in this.snapshot.datasets;
  }

  isGroup(path: string): boolean {
    return normalizePath(path) in this.snapshot.groups;
  }

  /** Child names of a group, in the file's (alphabetical) order. */
  keys(path = '/'): string[] {
    const group = this.snapshot.groups[normalizePath(path)];
    if (!group) throw new Hdf5FormatError(`${this.fileName}: '${path}' is not a group.`);
    return [...group.keys];
  }

  /** A string or string-list attribute (Keras stores layer_names / weight_names this way). */
  attr(path: string, name: string): string | string[] | undefined {
    const p = normalizePath(path);
    const holder = this.snapshot.groups[p] ?? this.snapshot.datasets[p];
    return holder?.attrs[name];
  }

  dataset(path: string): Hdf5Dataset {
    const p = normalizePath(path);
    const ds = this.snapshot.datasets[p];
    if (!ds) throw new Hdf5FormatError(`${this.fileName}: '${path}' is not a dataset.`);
    const fileName = this.fileName;
    return {
      path: p,
      shape: ds.shape,
      readFloat32(): Float32Array {
        if (ds.error) throw new Hdf5FormatError(`${fileName}: cannot read dataset '${p}' (${firstLine(ds.error)}).`);
        if (!ds.data) throw new Hdf5FormatError(`${fileName}: dataset '${p}' is not numeric.`);
        const half = (ds as { half?: boolean }).half;
        return half ? decodeFloat16(ds.data as unknown as Uint16Array) : ds.data;
      },
    };
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  // HDF5 stacks start with a banner; the innermost 'minor:' line says the most.
  const minors = lines.filter((l) => l.startsWith('minor:')).map((l) => l.slice(6).trim());
  return minors.at(-1) ?? lines[0] ?? 'unknown error';
}

