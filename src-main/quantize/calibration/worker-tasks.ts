// Calibration's tasks for compute workers: each worker runs the float graph on the samples it
// is sent and keeps its own RangeObserver (and, for int8 gptq / bias correction, the sums of the layers tapped);
// the caller merges their states (statistics.ts).
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor, type GraphExecutor } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { initTfjs } from '../../graph/tfjs-backend';
import { accumulatorBuffers, SampleSums } from '../rounding/calibration-tap';
import { layersOf } from '../rounding/worker-tasks';
import { RangeObserver } from './observer';

/** A worker's executor and observer, and the gptq sums of the layers its pass also taps. */
let open: { executor: GraphExecutor; observer: RangeObserver; sums: SampleSums | undefined } | undefined;

export const calibrationTasks = {
  async 'calibrate.open'(payload: unknown) {
    const { graph, method, gptq } = payload as { graph: Graph; method: CalibrationMethod; gptq?: { target: Graph; layers: string[]; means: string[] } };
    open?.executor.dispose();
    open = { executor: await createExecutor(graph), observer: new RangeObserver(method), sums: gptq ? new SampleSums(layersOf(gptq.target, gptq.layers), layersOf(gptq.target, gptq.means)) : undefined };
    return { result: null };
  },
  async 'calibrate.sample'(payload: unknown) {
    const { inputs, index } = payload as { inputs: Float32Array[]; index: number };
    if (!open) throw new Error('calibrate.sample before calibrate.open');
    const { sums } = open;
    const values = await open.executor.run(inputs, { ...open.observer.hooks(index), ...(sums ? { outputs: sums.outputs } : {}) });
    if (sums) sums.add(await initTfjs(), values, open.executor.lastShapes);
    return { result: null };
  },
  async 'calibrate.finish'() {
    if (!open) throw new Error('calibrate.finish before calibrate.open');
    const state = open.observer.state();
    const accs = open.sums?.finish(await initTfjs());
    const patches = open.sums?.patchSums;
    open.executor.dispose();
    open = undefined;
    return { result: { state, ...(accs ? { accs, patches } : {}) }, ...(accs ? { transfer: accumulatorBuffers(accs) } : {}) };
  },
};
