// The gptq statistics' tasks for compute workers: each worker runs the float graph on the
// samples it is sent and sums H (and D) for the layers named, over its own samples; the caller
// adds the workers' sums (split-pass.ts).
import { createExecutor, type GraphExecutor, type GraphInputs } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { initTfjs } from '../../graph/tfjs-backend';
import { accumulatorBuffers, SampleSums } from './calibration-tap';
import { compensableLayer, type CompensableLayer } from './layer-inputs';

let open: { executor: GraphExecutor; sums: SampleSums } | undefined;

/** The layers named, as the target graph has them (the caller already checked each is compensable). */
export function layersOf(target: Graph, names: string[]): CompensableLayer[] {
  return names.map((name) => {
    const node = target.nodes.find((n) => n.name === name);
    const layer = node ? compensableLayer(target, node) : `no node '${name}'`;
    if (typeof layer === 'string') throw new Error(`gptq statistics: layer '${name}' cannot be compensated here (${layer})`);
    return layer;
  });
}

export const roundingTasks = {
  async 'gptq.open'(payload: unknown) {
    const { reference, target, layers } = payload as { reference: Graph; target: Graph; layers: string[] };
    open?.executor.dispose();
    open = { executor: await createExecutor(reference), sums: new SampleSums(layersOf(target, layers)) };
    return { result: null };
  },
  async 'gptq.sample'(payload: unknown) {
    const { inputs } = payload as { inputs: GraphInputs };
    if (!open) throw new Error('gptq.sample before gptq.open');
    const tf = await initTfjs();
    const values = await open.executor.run(inputs, { outputs: open.sums.outputs });
    open.sums.add(tf, values, open.executor.lastShapes);
    return { result: null };
  },
  async 'gptq.finish'() {
    if (!open) throw new Error('gptq.finish before gptq.open');
    const tf = await initTfjs();
    const accs = open.sums.finish(tf);
    open.executor.dispose();
    open = undefined;
    return { result: accs, transfer: accumulatorBuffers(accs) };
  },
};
