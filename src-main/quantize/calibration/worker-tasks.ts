// The float pass's tasks for compute workers: each worker runs the float graph on the samples it
// is sent and keeps its own RangeObserver (calibration) and, for gptq, the sums of the layers
// tapped and, for bias correction, their mean input patches; the caller merges their states. Calibration asks for both (statistics.ts); the gptq
// statistics without a calibration pass ask for the sums alone (rounding/split-pass.ts).
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor, type GraphExecutor, type GraphInputs } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { initTfjs } from '../../graph/tfjs-backend';
import type { Accumulators } from '../rounding/accumulate';
import { accumulatorBuffers, SampleSums } from '../rounding/calibration-tap';
import type { PatchSums } from '../rounding/bias-correction';
import { layersOf } from '../rounding/split-pass';
import { RangeObserver, type ObserverState } from './observer';

/** `calibrate.open`'s payload: the graph to run, the ranges to observe, the gptq layers to tap. */
export interface FloatPassOpen {
  graph: Graph;
  /** Observe every tensor's range with this method (omitted: no ranges). */
  method?: CalibrationMethod;
  /** Sum the gptq statistics of these layers of `target` (omitted: no sums). */
  gptq?: { target: Graph; layers: string[]; means?: string[] };
}

export interface FloatPassSample {
  inputs: GraphInputs;
  /** The sample's index in the dataset (the histograms' growth depends on it). */
  index: number;
}

/** `calibrate.finish`'s result: what the pass was opened to keep. */
export interface FloatPassState {
  state?: ObserverState;
  accs?: Accumulators[];
  /** Bias correction's patch sums of the `means` layers, in their order. */
  patches?: PatchSums[];
}

/** A worker's executor, and the observer and gptq sums its pass keeps. */
let open: { executor: GraphExecutor; observer: RangeObserver | undefined; sums: SampleSums | undefined } | undefined;

export const calibrationTasks = {
  async 'calibrate.open'(payload: unknown) {
    const { graph, method, gptq } = payload as FloatPassOpen;
    open?.executor.dispose();
    open?.sums?.dispose();
    const tf = await initTfjs();
    open = { executor: await createExecutor(graph), observer: method && new RangeObserver(method), sums: gptq && new SampleSums(tf, layersOf(gptq.target, gptq.layers), layersOf(gptq.target, gptq.means ?? [])) };
    return { result: null };
  },
  async 'calibrate.sample'(payload: unknown) {
    const { inputs, index } = payload as FloatPassSample;
    if (!open) throw new Error('calibrate.sample before calibrate.open');
    const { observer, sums } = open;
    // No observer (the gptq statistics alone): the run may stop once every tapped input is computed.
    await open.executor.run(inputs, { ...observer?.hooks(index), ...sums?.runOptions(!observer) });
    return { result: null };
  },
  async 'calibrate.finish'() {
    if (!open) throw new Error('calibrate.finish before calibrate.open');
    const state = open.observer?.state();
    const accs = open.sums?.finish();
    const patches = open.sums?.patchSums();
    open.sums?.dispose();
    open.executor.dispose();
    open = undefined;
    const result: FloatPassState = { ...(state ? { state } : {}), ...(accs ? { accs, patches: patches! } : {}) };
    return { result, ...(accs ? { transfer: accumulatorBuffers(accs) } : {}) };
  },
};
