// The one-pass gptq statistics (every layer's H from the float model's own layer inputs) split
// across compute workers (compute/split.ts): calibration's float pass without its ranges
// (calibration/worker-tasks.ts), each worker summing over the samples it is sent; the sums are
// added here. Equal to one worker's within float rounding (the order of the additions differs).
import type { GraphInputs } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import type { FloatPassOpen, FloatPassSample, FloatPassState } from '../calibration/worker-tasks';
import { addAccumulators, type Accumulators } from './accumulate';
import { compensableLayer, type CompensableLayer } from './layer-inputs';

/** The layers named, as the target graph has them (the caller already checked each is compensable). */
export function layersOf(target: Graph, names: string[]): CompensableLayer[] {
  return names.map((name) => {
    const node = target.nodes.find((n) => n.name === name);
    const layer = node ? compensableLayer(target, node) : `no node '${name}'`;
    if (typeof layer === 'string') throw new Error(`gptq statistics: layer '${name}' cannot be compensated here (${layer})`);
    return layer;
  });
}

/** The workers' sums added into the first's (calibration's pass sums the same statistics). */
export function sumOfWorkers(parts: Accumulators[][]): Accumulators[] {
  const [first, ...rest] = parts;
  for (const more of rest) addAccumulators(first!, more);
  return first!;
}

export async function accumulateInWorkers(
  reference: Graph,
  target: Graph,
  layers: CompensableLayer[],
  samples: () => AsyncIterable<GraphInputs>,
  workers: number,
  signal: AbortSignal | undefined,
): Promise<{ accs: Accumulators[]; count: number }> {
  const { splitAcrossWorkers } = await import('../../compute/split');
  async function* payloads(): AsyncIterable<FloatPassSample> {
    let index = 0;
    // Copied, not transferred: a sample may be a view into its dataset's file buffer.
    for await (const inputs of samples()) yield { inputs, index: index++ };
  }
  const open: FloatPassOpen = { graph: reference, gptq: { target, layers: layers.map((l) => l.node.name) } };
  const { states, count } = await splitAcrossWorkers({ open: { task: 'calibrate.open', payload: open }, sample: 'calibrate.sample', finish: 'calibrate.finish' }, payloads(), {
    workers,
    ...(signal ? { signal } : {}),
  });
  return { accs: sumOfWorkers((states as FloatPassState[]).map((s) => s.accs!)), count };
}
