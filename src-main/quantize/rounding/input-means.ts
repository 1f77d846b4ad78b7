// Bias correction's mean input patches, summed where the tensors live. A layer's patch sums are
// linear in its input, so Σ over samples of each sample's patch sums is the patch sums of the
// inputs' sum: every sample adds its layer inputs into one backend tensor per input (no copy
// out, one tensor add), and the patches are summed once, from the read-back total, at the end.
// Reading every layer input back per sample and walking it in JavaScript cost MobileNetV2's
// calibration pass ×2.4 its CPU time.
import { CancelledError } from '../../errors';
import { createExecutor, type ExecuteOptions, type GraphInputs, type TfTensor } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { initTfjs, type Tf } from '../../graph/tfjs-backend';
import { addPatches, emptyPatchSums, type MeanPatches, type PatchSums } from './bias-correction';
import type { CompensableLayer } from './layer-inputs';

interface RunningSum {
  /** The sum of the samples folded so far (none yet: undefined). */
  sum: TfTensor | undefined;
  /** Samples kept (references, not copies) until FOLD of them are added in one AddN. */
  pending: TfTensor[];
  /** Samples added into `sum` and `pending`. */
  samples: number;
  shape: readonly number[];
}

/**
 * Samples folded per AddN: one read of each and one write of the sum, instead of a read of the
 * sum, a read of the sample and a write per sample (MobileNetV2's layer inputs are ~27 MB).
 */
const FOLD = 4;

/** One thread's sums of the inputs of `layers` over the samples it runs. */
export class InputMeans {
  readonly #tf: Tf;
  readonly #layers: CompensableLayer[];
  readonly #sums = new Map<string, RunningSum>();
  readonly #patchSums: PatchSums[];
  /** The inputs seen in the current sample (each must be seen once per sample). */
  #seen = new Set<string>();
  /** The input tensor names, once each. */
  readonly names: string[];

  constructor(tf: Tf, layers: CompensableLayer[]) {
    this.#tf = tf;
    this.#layers = layers;
    this.#patchSums = layers.map(emptyPatchSums);
    this.names = [...new Set(layers.map((l) => l.node.inputs[0]!))];
  }

  /** The executor option that adds a sample's layer inputs on the backend; call `endSample` after the run. */
  tap(): NonNullable<ExecuteOptions['tap']> {
    return { names: this.names, take: (name, value) => this.#add(name, value) };
  }

  #add(name: string, value: TfTensor): void {
    const tf = this.#tf;
    this.#seen.add(name);
    const running = this.#sums.get(name);
    if (running && !sameShape(running.shape, value.shape)) this.#flush(name); // inputs of another size: sum them apart
    let current = this.#sums.get(name);
    if (!current) this.#sums.set(name, (current = { sum: undefined, pending: [], samples: 0, shape: [...value.shape] }));
    current.pending.push(tf.keep(tf.clone(value)));
    current.samples++;
    if (current.pending.length >= FOLD) this.#fold(current);
  }

  #fold(running: RunningSum): void {
    const tf = this.#tf;
    const parts = running.sum ? [running.sum, ...running.pending] : running.pending;
    if (parts.length === 0) return;
    running.sum = parts.length === 1 ? parts[0]! : tf.keep(tf.addN(parts));
    for (const part of parts) if (part !== running.sum) part.dispose();
    running.pending = [];
  }

  /** Checks that the run computed every tapped input (a layer input it never produced would go unmeasured). */
  endSample(): void {
    const missing = this.names.filter((n) => !this.#seen.has(n));
    this.#seen = new Set();
    if (missing.length) throw new Error(`Bias correction: the float pass did not compute ${missing.join(', ')}.`);
  }

  /** Reads the running sum of `name` back and adds its patches to the layers reading it. */
  #flush(name: string): void {
    const running = this.#sums.get(name);
    if (!running) return;
    this.#sums.delete(name);
    this.#fold(running);
    if (!running.sum) return;
    const values = running.sum.dataSync() as Float32Array;
    const shape = running.shape;
    running.sum.dispose();
    this.#layers.forEach((layer, i) => {
      if (layer.node.inputs[0] !== name) return;
      // Patches of the sum: the patch sums are right, the count is one sample's; scale it.
      const one = emptyPatchSums(layer);
      addPatches(layer, values, shape, one);
      const into = this.#patchSums[i]!;
      for (let j = 0; j < one.sums.length; j++) into.sums[j] += one.sums[j]!;
      for (let g = 0; g < one.counts.length; g++) into.counts[g] += one.counts[g]! * running.samples;
    });
  }

  /** The patch sums of every layer (in `layers` order) over all samples added; releases the backend sums. */
  finish(): PatchSums[] {
    for (const name of [...this.#sums.keys()]) this.#flush(name);
    return this.#patchSums;
  }

  /** Releases the backend sums without reading them (a failed or cancelled pass). */
  dispose(): void {
    for (const { sum, pending } of this.#sums.values()) for (const t of [...(sum ? [sum] : []), ...pending]) t.dispose();
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
      // One tapped input asked for as the output: the run stops once every tapped input is computed.
      await executor.run(inputs, { tap: means.tap(), outputs: means.names.slice(0, 1) });
      means.endSample();
      count++;
    }
    return { layers: layers.map((l) => l.node.name), sums: means.finish(), count };
  } finally {
    means.dispose();
    executor.dispose();
  }
}
