// The gptq statistics gathered inside calibration's own forward pass: int8 gptq needs each
// layer's H from the float model's layer inputs, which calibration's pass computes anyway, so one
// float forward per sample serves both (the executor returns the layer inputs while its
// observers see every tensor, so the calibration statistics are the same as without the tap).
// Bias correction's mean input patches ride on the same pass (`means`).
import type { Graph } from '../../graph/model-graph';
import type { Tf } from '../../graph/tfjs-backend';
import { layerInputs, LayerSums, type Accumulators } from './accumulate';
import type { MeanPatches, PatchSums } from './bias-correction';
import { InputMeans } from './input-means';
import type { ExecuteOptions } from '../../graph/execute';
import type { CompensableLayer } from './layer-inputs';

/** The layers whose H calibration's pass also sums, and, once it ran, those sums. */
export interface GptqTap {
  /** The graph the layers belong to (compute workers rebuild them from it and their names). */
  target: Graph;
  layers: CompensableLayer[];
  /** Set by the calibration pass: per layer (in `layers` order), the sums over all samples. */
  sums?: { accs: Accumulators[]; count: number };
  /** Layers whose mean input patch the pass also sums, for bias correction (bias-correction.ts). */
  means?: CompensableLayer[];
  /** Set by the calibration pass when `means` is: their patch sums over all samples. */
  meanSums?: MeanPatches;
}

/** One thread's sums of the tapped layers over the samples it runs. */
export class SampleSums {
  /** The tensors to ask the executor for (each gptq layer's input, once). */
  readonly outputs: string[];
  readonly #indexOf: number[];
  readonly #sums: LayerSums[];
  /** The `means` layers' inputs, summed on the backend (bias correction). */
  readonly #means: InputMeans | undefined;

  constructor(tf: Tf, layers: CompensableLayer[], means: CompensableLayer[] = []) {
    const inputs = layerInputs(layers);
    this.outputs = inputs.names;
    this.#indexOf = inputs.indexOf;
    this.#sums = layers.map((layer) => new LayerSums(layer));
    this.#means = means.length ? new InputMeans(tf, means) : undefined;
  }

  /** The executor options for one sample: the gptq inputs to return, the mean inputs to tap. */
  runOptions(): Pick<ExecuteOptions, 'outputs' | 'tap'> {
    return { ...(this.outputs.length ? { outputs: this.outputs } : {}), ...(this.#means ? { tap: this.#means.tap() } : {}) };
  }

  /** Adds one sample, given the executor's values and shapes for `outputs`. */
  add(tf: Tf, values: Float32Array[], shapes: number[][]): void {
    this.#sums.forEach((s, i) => {
      const at = this.#indexOf[i]!;
      s.add(tf, values[at]!, values[at]!, shapes[at]!);
    });
    this.#means?.endSample();
  }

  finish(tf: Tf): Accumulators[] {
    return this.#sums.map((s) => s.finish(tf));
  }

  /** The patch sums of the `means` layers (bias correction), in their order; once, at the end. */
  patchSums(): PatchSums[] {
    return this.#means?.finish() ?? [];
  }

  /** Releases what the pass keeps on the backend (also after a failure). */
  dispose(): void {
    this.#means?.dispose();
  }
}

/** The buffers of `accs`, to transfer from a worker instead of copying. */
export function accumulatorBuffers(accs: Accumulators[]): ArrayBuffer[] {
  return accs.flatMap((a) => [...a.h, ...a.d.filter((d) => d !== undefined)]).map((m) => m.buffer as ArrayBuffer);
}
