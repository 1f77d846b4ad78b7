// Two small SIMD functions, assembled below, that work on tensors where they live in the wasm
// backend's memory. `tensorRangeReader`: min and max of a float32 tensor in one pass, for
// calibration's observers (on the wasm backend tf.min and tf.max are two scalar passes, ~0.5 ns
// per value each: over MobileNetV2's 69 activations ~8 ms of every 28 ms forward).
// `tensorAdderInPlace`: sum += value in place, for the running sums of tapped layer inputs (tf.add
// writes a new tensor per sample: a fourth stream of memory traffic, and an allocation).
// Range reader:
// The results equal tf.min / tf.max exactly: each lane keeps its value unless another is
// strictly smaller (f32x4.pmin), as the backend's loop does; a NaN anywhere gives NaN, as there;
// and when the extreme is a zero, its sign is that of the first zero, which the backend's loop
// (starting at the first value, replacing only on strictly smaller) keeps.
import type { Tf } from '../tfjs-backend';
import type { TfTensor } from './context';

export interface TensorRange {
  min: number;
  max: number;
}

/** What this file needs of tfjs-backend-wasm (duck-typed: it does not export these as types). */
interface WasmBackendView {
  getMemoryOffset(dataId: object): number;
  wasm: { asm?: { memory?: unknown } };
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

const SIMD = 0xfd;
const [I32, F32, V128] = [0x7f, 0x7d, 0x7b];
// Locals: 0 ptr (bytes), 1 n (values), 2 i, 3 end4, 4 end, 5 v, 6 vmin, 7 vmax, 8 vnan, 9 x, 10 m, 11 M.
const [PTR, N, I, END4, END, V, VMIN, VMAX, VNAN, X, MIN, MAX] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const get = (l: number) => [0x20, l];
const set = (l: number) => [0x21, l];
const tee = (l: number) => [0x22, l];
const f32Load = [0x2a, 0x02, 0x00];
/** `acc` = pick(acc, x) for a scalar: x when x < acc (min) or acc < x (max). */
const keepScalar = (acc: number, smaller: boolean) => [...get(X), ...get(acc), ...get(X), ...get(acc), smaller ? 0x5d : 0x5e, 0x1b, ...set(acc)];
const lane = (v: number, k: number) => [...get(v), SIMD, 0x1f, k, ...set(X)];

/** minmax(ptr, n), n ≥ 1: globals 0 / 1 / 2 = min, max, whether a NaN was seen (ignoring the sign of zeros). */
const body = [
  // i = ptr; end = ptr + 4n; end4 = ptr + 16·⌊n/4⌋
  ...get(PTR), ...set(I),
  ...get(PTR), ...get(N), 0x41, 2, 0x74, 0x6a, ...set(END),
  ...get(PTR), ...get(N), 0x41, 2, 0x76, 0x41, 4, 0x74, 0x6a, ...set(END4),
  // every lane starts at the first value (as the backend's loop does)
  ...get(PTR), ...f32Load, ...tee(X), SIMD, 0x13, ...set(VMIN), ...get(X), SIMD, 0x13, ...set(VMAX),
  0x02, 0x40, 0x03, 0x40, // block, loop
  ...get(I), ...get(END4), 0x4f, 0x0d, 1, // i >= end4 (unsigned): leave
  ...get(I), SIMD, 0x00, 0x00, 0x00, ...set(V), // v128.load align 1
  ...get(VMIN), ...get(V), SIMD, 0xea, 0x01, ...set(VMIN), // f32x4.pmin: v < vmin ? v : vmin
  ...get(VMAX), ...get(V), SIMD, 0xeb, 0x01, ...set(VMAX), // f32x4.pmax: vmax < v ? v : vmax
  ...get(VNAN), ...get(V), ...get(V), SIMD, 0x42, SIMD, 0x50, ...set(VNAN), // vnan |= (v != v)
  ...get(I), 0x41, 16, 0x6a, ...set(I),
  0x0c, 0, 0x0b, 0x0b, // br loop; end loop; end block
  // the lanes, then the tail, one value at a time
  ...lane(VMIN, 0), ...get(X), ...set(MIN),
  ...lane(VMAX, 0), ...get(X), ...set(MAX),
  ...[1, 2, 3].flatMap((k) => [...lane(VMIN, k), ...keepScalar(MIN, true), ...lane(VMAX, k), ...keepScalar(MAX, false)]),
  0x02, 0x40, 0x03, 0x40,
  ...get(I), ...get(END), 0x4f, 0x0d, 1,
  ...get(I), ...f32Load, ...set(X),
  ...keepScalar(MIN, true), ...keepScalar(MAX, false),
  ...get(VNAN), ...get(X), SIMD, 0x13, ...get(X), SIMD, 0x13, SIMD, 0x42, SIMD, 0x50, ...set(VNAN), // vnan |= (x != x), splatted
  ...get(I), 0x41, 4, 0x6a, ...set(I),
  0x0c, 0, 0x0b, 0x0b,
  ...get(MIN), 0x24, 0, ...get(MAX), 0x24, 1,
  ...get(VNAN), SIMD, 0x53, 0x24, 2, // v128.any_true
  0x0b,
];

// addInto(dst, src, n): dst[i] = dst[i] + src[i] (float32, as tf.add), four at a time, then the tail.
const [DST, SRC, COUNT, AT, ADD_END4, ADD_END] = [0, 1, 2, 3, 4, 5];
const addBody = [
  ...get(COUNT), 0x41, 2, 0x74, ...set(ADD_END),
  ...get(COUNT), 0x41, 2, 0x76, 0x41, 4, 0x74, ...set(ADD_END4),
  0x02, 0x40, 0x03, 0x40,
  ...get(AT), ...get(ADD_END4), 0x4f, 0x0d, 1,
  ...get(DST), ...get(AT), 0x6a, // store address
  ...get(DST), ...get(AT), 0x6a, SIMD, 0x00, 0x00, 0x00, ...get(SRC), ...get(AT), 0x6a, SIMD, 0x00, 0x00, 0x00,
  SIMD, 0xe4, 0x01, SIMD, 0x0b, 0x00, 0x00, // f32x4.add; v128.store align 1
  ...get(AT), 0x41, 16, 0x6a, ...set(AT),
  0x0c, 0, 0x0b, 0x0b,
  0x02, 0x40, 0x03, 0x40,
  ...get(AT), ...get(ADD_END), 0x4f, 0x0d, 1,
  ...get(DST), ...get(AT), 0x6a,
  ...get(DST), ...get(AT), 0x6a, ...f32Load, ...get(SRC), ...get(AT), 0x6a, ...f32Load,
  0x92, 0x38, 0x02, 0x00, // f32.add; f32.store
  ...get(AT), 0x41, 4, 0x6a, ...set(AT),
  0x0c, 0, 0x0b, 0x0b,
  0x0b,
];

/** The module's bytes: imports env.memory, exports minmax, addInto and the globals min, max, nan. */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const locals = vector([[3, I32], [4, V128], [3, F32]]); // i, end4, end; v, vmin, vmax, vnan; x, m, M
  const code = [...locals, ...body];
  const addCode = [...vector([[3, I32]]), ...addBody]; // at, end4, end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, 2, I32, I32, 0], [0x60, 3, I32, I32, I32, 0]])), // (i32, i32) -> (), (i32, i32, i32) -> ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, min 0 pages, no max
    ...section(3, vector([[0], [1]])),
    ...section(6, vector([
      [F32, 1, 0x43, 0, 0, 0, 0, 0x0b],
      [F32, 1, 0x43, 0, 0, 0, 0, 0x0b],
      [I32, 1, 0x41, 0, 0x0b],
    ])),
    ...section(7, vector([[...name('minmax'), 0x00, 0], [...name('min'), 0x03, 0], [...name('max'), 0x03, 1], [...name('nan'), 0x03, 2], [...name('addInto'), 0x00, 1]])),
    ...section(10, vector([[...uleb(code.length), ...code], [...uleb(addCode.length), ...addCode]])),
  ]);
}

interface Kernel {
  minmax: (ptr: number, n: number) => void;
  addInto: (dst: number, src: number, n: number) => void;
  min: WebAssembly.Global;
  max: WebAssembly.Global;
  nan: WebAssembly.Global;
}

interface HeapKernels {
  range: (value: TfTensor) => TensorRange;
  addInto: (sum: TfTensor, value: TfTensor) => void;
}

const instances = new WeakMap<object, HeapKernels | null>();

/** The first zero of `values` (its sign is the one the backend keeps), assuming one exists. */
function firstZero(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] === 0) return values[i]!;
  return 0;
}

/** The kernels over the current backend's memory; null on backends other than wasm, or a wasm build that does not export an unshared memory. */
function heapKernels(tf: Tf): HeapKernels | null {
  const backend = tf.backend() as unknown as object;
  const known = instances.get(backend);
  if (known !== undefined) return known;
  let kernels: HeapKernels | null = null;
  const view = backend as Partial<WasmBackendView>;
  const memory = tf.getBackend() === 'wasm' ? view.wasm?.asm?.memory : undefined;
  // The module imports an unshared memory: the threaded build's shared one keeps tf.min / tf.add.
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory instanceof WebAssembly.Memory && memory.buffer instanceof SharedArrayBuffer;
  if (memory instanceof WebAssembly.Memory && !shared && typeof view.getMemoryOffset === 'function') {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { env: { memory } });
    const kernel = instance.exports as unknown as Kernel;
    const offsetOf = view.getMemoryOffset.bind(backend);
    kernels = {
      range(value) {
        const ptr = offsetOf(value.dataId);
        const n = value.size;
        kernel.minmax(ptr, n);
        if (kernel.nan.value) return { min: NaN, max: NaN };
        let min = kernel.min.value as number;
        let max = kernel.max.value as number;
        if (min === 0 || max === 0) {
          const zero = firstZero(new Float32Array(memory.buffer, ptr, n));
          if (min === 0) min = zero;
          if (max === 0) max = zero;
        }
        return { min, max };
      },
      addInto(sum, value) {
        kernel.addInto(offsetOf(sum.dataId), offsetOf(value.dataId), value.size);
      },
    };
  }
  instances.set(backend, kernels);
  return kernels;
}

/**
 * A one-pass range reader for the current backend's float32 tensors (size ≥ 1), or undefined
 * where there is none: callers then reduce with tf.min / tf.max.
 */
export function tensorRangeReader(tf: Tf): ((value: TfTensor) => TensorRange) | undefined {
  return heapKernels(tf)?.range;
}

/**
 * `add(sum, value)`: sum += value in place, both float32 of one size, for a `sum` whose memory
 * is its own (tensorOwnCopy: tf.clone shares its source's memory on wasm), or undefined where
 * the backend has no such kernel: callers then replace the sum with tf.add.
 */
export function tensorAdderInPlace(tf: Tf): ((sum: TfTensor, value: TfTensor) => void) | undefined {
  const kernels = heapKernels(tf);
  if (!kernels) return undefined;
  return (sum, value) => {
    if (sum.size !== value.size || sum.dtype !== 'float32' || value.dtype !== 'float32') throw new RangeError(`in-place add of ${value.dtype}[${value.size}] into ${sum.dtype}[${sum.size}]`);
    kernels.addInto(sum, value);
  };
}

/** A float32 copy of `value` in memory of its own (written into by tensorAdderInPlace). */
export function tensorOwnCopy(tf: Tf, value: TfTensor): TfTensor {
  return tf.tensor(value.dataSync() as Float32Array, value.shape, 'float32');
}
