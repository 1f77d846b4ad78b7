// The one-pass gptq statistics (every layer's H from the float model's own layer inputs) split
// across compute workers (compute/split.ts): each sums over the samples it is sent, the sums are
// added here. Equal to one worker's within float rounding (the order of the additions differs).
import type { GraphInputs } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { addAccumulators, type Accumulators } from './accumulate';
import type { CompensableLayer } from './layer-inputs';

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
  async function* payloads(): AsyncIterable<{ inputs: GraphInputs }> {
    // Copied, not transferred: a sample may be a view into its dataset's file buffer.
    for await (const inputs of samples()) yield { inputs };
  }
  const { states, count } = await splitAcrossWorkers(
    { open: { task: 'gptq.open', payload: { reference, target, layers: layers.map((l) => l.node.name) } }, sample: 'gptq.sample', finish: 'gptq.finish' },
    payloads(),
    { workers, ...(signal ? { signal } : {}) },
  );
  return { accs: sumOfWorkers(states as Accumulators[][]), count };
}
