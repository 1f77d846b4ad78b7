// Bias correction's mean input patches, summed where the tensors live. A layer's patch sums are
// linear in its input, so the patch sums of every sample are the patch sums of the inputs' sum:
// each sample adds its layer inputs into one backend tensor per input (one tensor add, no copy
// out) and the patches are summed once, at the end. There, a window offset (dy, dx) of a conv
// reads, over all output positions, the input rows of a strided set R_dy and the columns of a
// strided set C_dx, so its sum per channel is a_dyᵀ · X · b_dx with a, b the 0/1 indicators of
// those sets: two small products on the backend per layer. Reading every layer input back per
// sample and walking it in JavaScript cost MobileNetV2's calibration pass ×2.4 its CPU time; a
// product per sample instead of the add costs ~30× the add (XNNPACK packs its operand anew).
import { CancelledError } from '../../errors';
import { createExecutor, type ExecuteOptions, type GraphInputs, type TfTensor } from '../../graph/execute';
import { tensorAdderInPlace, tensorOwnCopy } from '../../graph/execute/heap-kernels';
import type { Graph } from '../../graph/model-graph';
import { initTfjs, type Tf } from '../../graph/tfjs-backend';
import { emptyPatchSums, offsetSpan, type MeanPatches, type PatchSums } from './bias-correction';
import { PatchShapeError, windowAxis, type CompensableLayer } from './layer-inputs';

/**
 * The sums of the patches `layer` reads from `value` (one sample, or a sum of samples), in
 * forEachPatch's patch order (conv: (dy·kw + dx)·c + ch; depthwise: group ch, then dy·kw + dx;
 * dense: the row), and the output positions each group's patches cover.
 */
export function windowSums(tf: Tf, layer: CompensableLayer, value: TfTensor): { sums: Float32Array; positions: number } {
  const window = layer.window;
  if (window.kind === 'dense') {
    const rows = Math.floor(value.size / layer.fanIn);
    const sums = tf.tidy(() => tf.matMul(tf.ones([1, rows]), tf.reshape(value, [rows, layer.fanIn])));
    return { sums: readAndDispose(sums), positions: rows };
  }
  const [n, h, w, c] = value.shape as [number, number, number, number];
  const { kh, kw } = window;
  const depthwise = window.kind === 'depthwise';
  if (depthwise ? c !== layer.groups : c * kh * kw !== layer.fanIn) {
    throw new PatchShapeError(`${layer.node.name}: input has ${c} channels, the weights expect ${depthwise ? layer.groups : layer.fanIn / (kh * kw)}`);
  }
  const rowAxis = windowAxis(h, kh, window.strideH, window.dilationH, window.padding);
  const colAxis = windowAxis(w, kw, window.strideW, window.dilationW, window.padding);
  const rows = new Float32Array(kh * n * h);
  for (let dy = 0; dy < kh; dy++) {
    const { first, last } = offsetSpan(h, rowAxis.out, rowAxis.before, dy * window.dilationH, window.strideH);
    for (let b = 0; b < n; b++) for (let iy = first; iy <= last; iy += window.strideH) rows[dy * n * h + b * h + iy] = 1;
  }
  const cols = new Float32Array(kh * kw * w);
  for (let dx = 0; dx < kw; dx++) {
    const { first, last } = offsetSpan(w, colAxis.out, colAxis.before, dx * window.dilationW, window.strideW);
    for (let ix = first; ix <= last; ix += window.strideW) for (let dy = 0; dy < kh; dy++) cols[(dy * kw + dx) * w + ix] = 1;
  }
  const sums = tf.tidy(() => {
    // [kh, n·h] × [n·h, w·c]: per row offset, the input summed over the rows it reads; then per column offset.
    const byRows = tf.reshape(tf.matMul(tf.tensor2d(rows, [kh, n * h]), tf.reshape(value, [n * h, w * c])), [kh, w, c]);
    const byWindow = tf.matMul(tf.tensor3d(cols, [kh, kw, w]), byRows); // [kh, kw, c]
    return depthwise ? tf.transpose(tf.reshape(byWindow, [kh * kw, c])) : byWindow;
  });
  return { sums: readAndDispose(sums), positions: n * rowAxis.out * colAxis.out };
}

function readAndDispose(t: TfTensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

interface RunningSum {
  sum: TfTensor;
  /** Samples added into `sum`. */
  samples: number;
}

/** One thread's patch sums of the inputs of `layers` over the samples it runs. */
export class InputMeans {
  readonly #tf: Tf;
  readonly #layers: CompensableLayer[];
  readonly #sums = new Map<string, RunningSum>();
  readonly #patchSums: PatchSums[];
  /** The input tensor names, once each. */
  readonly names: string[];
  readonly #tapped: Set<string>;
  /** wasm: the sums grow in place (same float32 adds as tf.add, without a new tensor per sample). */
  readonly #addInPlace: ReturnType<typeof tensorAdderInPlace>;

  constructor(tf: Tf, layers: CompensableLayer[]) {
    this.#tf = tf;
    this.#addInPlace = tensorAdderInPlace(tf);
    this.#layers = layers;
    this.#patchSums = layers.map(emptyPatchSums);
    this.names = [...new Set(layers.map((l) => l.node.inputs[0]!))];
    this.#tapped = new Set(this.names);
  }

  /** The executor option that adds a sample's layer inputs on the backend (the run fails if it does not compute one). */
  tap(): NonNullable<ExecuteOptions['tap']> {
    return { names: this.names, take: (name, value) => this.take(name, value) };
  }

  /** Adds `value` when it is one of the tapped inputs (a tap shared with other sums hands over theirs too). */
  take(name: string, value: TfTensor): void {
    if (!this.#tapped.has(name)) return;
    const tf = this.#tf;
    const running = this.#sums.get(name);
    if (running && !sameShape(running.sum.shape, value.shape)) this.#flush(name); // inputs of another size: summed apart
    const current = this.#sums.get(name);
    const addInPlace = value.dtype === 'float32' ? this.#addInPlace : undefined;
    if (!current) {
      this.#sums.set(name, { sum: tf.keep(addInPlace ? tensorOwnCopy(tf, value) : tf.clone(value)), samples: 1 });
      return;
    }
    if (addInPlace && current.sum.dtype === 'float32') {
      addInPlace(current.sum, value);
      current.samples++;
      return;
    }
    const next = tf.keep(tf.add(current.sum, value));
    current.sum.dispose();
    current.sum = next;
    current.samples++;
  }

  /** Adds the patches of the running sum of `name` to the layers reading it, and releases it. */
  #flush(name: string): void {
    const running = this.#sums.get(name);
    if (!running) return;
    this.#sums.delete(name);
    try {
      this.#layers.forEach((layer, i) => {
        if (layer.node.inputs[0] !== name) return;
        const { sums, positions } = windowSums(this.#tf, layer, running.sum);
        const into = this.#patchSums[i]!;
        for (let j = 0; j < sums.length; j++) into.sums[j] += sums[j]!;
        for (let g = 0; g < into.counts.length; g++) into.counts[g] += positions * running.samples;
      });
    } finally {
      running.sum.dispose();
    }
  }

  /** The patch sums of every layer (in `layers` order) over all samples added. */
  finish(): PatchSums[] {
    for (const name of [...this.#sums.keys()]) this.#flush(name);
    return this.#patchSums;
  }

  /** Releases the backend sums without reading them (a failed or cancelled pass). */
  dispose(): void {
    for (const { sum } of this.#sums.values()) sum.dispose();
    this.#sums.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The patch sums of `layers` over `samples` run through `floatGraph` (same tensor names): a pass of its own. */
export async function measureMeanPatches(
  floatGraph: Graph,
  layers: CompensableLayer[],
  samples: () => AsyncIterable<GraphInputs>,
  options: { signal?: AbortSignal } = {},
): Promise<MeanPatches> {
  const tf = await initTfjs();
  const means = new InputMeans(tf, layers);
  const executor = await createExecutor(floatGraph);
  let count = 0;
  try {
    for await (const inputs of samples()) {
      if (options.signal?.aborted) throw new CancelledError('Quantization cancelled.');
      // No output asked for: the run stops once every tapped input is computed, and reads nothing back.
      await executor.run(inputs, { tap: means.tap(), outputs: [] });
      count++;
    }
    return { layers: layers.map((l) => l.node.name), sums: means.finish(), count };
  } finally {
    means.dispose();
    executor.dispose();
  }
}
