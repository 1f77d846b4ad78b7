// The gptq statistics gathered inside calibration's own forward pass: int8 gptq needs each
// layer's H from the float model's layer inputs, which calibration's pass computes anyway, so one
// float forward per sample serves both (the executor hands the layer inputs over live while its
// observers see every tensor, so the calibration statistics are the same as without the tap).
// Bias correction's mean input patches ride on the same pass (`means`).
import type { Graph } from '../../graph/model-graph';
import type { Tf } from '../../graph/tfjs-backend';
import type { Accumulators } from './accumulate';
import type { MeanPatches, PatchSums } from './bias-correction';
import { InputMeans } from './input-means';
import type { ExecuteOptions, TfTensor } from '../../graph/execute';
import { TapGram } from './tap-gram';
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

/** One thread's sums of the tapped layers over the samples it runs, taken from the live tensors (nothing read back per sample). */
export class SampleSums {
  /** The tensors to tap (each gptq or means layer's input, once). */
  readonly names: string[];
  /** The gptq layers' H, summed on the backend (tap-gram.ts). */
  readonly #gram: TapGram;
  /** The `means` layers' inputs, summed on the backend (bias correction). */
  readonly #means: InputMeans | undefined;

  /** `samples`: how many samples the whole pass runs, over all workers (sets the patches kept per sample; default 100). */
  constructor(tf: Tf, layers: CompensableLayer[], means: CompensableLayer[] = [], samples?: number) {
    this.#gram = new TapGram(tf, layers, samples);
    this.#means = means.length ? new InputMeans(tf, means) : undefined;
    this.names = [...new Set([...this.#gram.names, ...(this.#means?.names ?? [])])];
  }

  /**
   * The executor options for one sample: the inputs to tap (each sum takes the ones it reads).
   * `stopEarly` (a run with no observers): ask for no output, so the run ends once every tapped
   * input is computed and reads nothing back.
   */
  runOptions(stopEarly = false): Pick<ExecuteOptions, 'outputs' | 'tap'> {
    if (this.names.length === 0) return {};
    const take = (name: string, value: TfTensor): void => {
      this.#gram.take(name, value);
      this.#means?.take(name, value);
    };
    return { tap: { names: this.names, take }, ...(stopEarly ? { outputs: [] } : {}) };
  }

  /** The gptq layers' sums over all samples; once, at the end. */
  finish(): Accumulators[] {
    return this.#gram.finish();
  }

  /** The patch sums of the `means` layers (bias correction), in their order; once, at the end. */
  patchSums(): PatchSums[] {
    return this.#means?.finish() ?? [];
  }

  /** Releases what the pass keeps on the backend (also after a failure). */
  dispose(): void {
    this.#gram.dispose();
    this.#means?.dispose();
  }
}

/** The buffers of `accs`, to transfer from a worker instead of copying. */
export function accumulatorBuffers(accs: Accumulators[]): ArrayBuffer[] {
  return accs.flatMap((a) => [...a.h, ...a.d.filter((d) => d !== undefined)]).map((m) => m.buffer as ArrayBuffer);
}
