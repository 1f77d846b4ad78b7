// Calibration's tasks for compute workers: each worker runs the float graph on the samples it
// is sent and keeps its own RangeObserver; the caller merges their states (statistics.ts).
import type { CalibrationMethod } from '../../convert/types';
import { createExecutor, type GraphExecutor } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { RangeObserver } from './observer';

let open: { executor: GraphExecutor; observer: RangeObserver } | undefined;

export const calibrationTasks = {
  async 'calibrate.open'(payload: unknown) {
    const { graph, method } = payload as { graph: Graph; method: CalibrationMethod };
    open?.executor.dispose();
    open = { executor: await createExecutor(graph), observer: new RangeObserver(method) };
    return { result: null };
  },
  async 'calibrate.sample'(payload: unknown) {
    const { inputs, index } = payload as { inputs: Float32Array[]; index: number };
    if (!open) throw new Error('calibrate.sample before calibrate.open');
    await open.executor.run(inputs, open.observer.hooks(index));
    return { result: null };
  },
  async 'calibrate.finish'() {
    if (!open) throw new Error('calibrate.finish before calibrate.open');
    const state = open.observer.state();
    open.executor.dispose();
    open = undefined;
    return { result: state };
  },
};
