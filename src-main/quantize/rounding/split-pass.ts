// The one-pass gptq statistics (every layer's H from the float model's own layer inputs) split
// across compute workers: each sums over the samples it is sent, the sums are added here. Equal
// to one worker's within float rounding (the order of the additions differs).
import { CancelledError } from '../../errors';
import type { GraphInputs } from '../../graph/execute';
import type { Graph } from '../../graph/model-graph';
import { addAccumulators, type Accumulators } from './accumulate';
import type { CompensableLayer } from './layer-inputs';

export async function accumulateInWorkers(
  reference: Graph,
  target: Graph,
  layers: CompensableLayer[],
  samples: () => AsyncIterable<GraphInputs>,
  workers: number,
  signal: AbortSignal | undefined,
): Promise<{ accs: Accumulators[]; count: number }> {
  const { ComputePool } = await import('../../compute/pool');
  const pool = await ComputePool.open(workers, signal ? { signal } : {});
  try {
    await pool.each('gptq.open', { reference, target, layers: layers.map((l) => l.node.name) });
    const results: Promise<unknown>[] = [];
    let count = 0;
    for await (const inputs of samples()) {
      if (signal?.aborted) throw new CancelledError('Quantization cancelled.');
      // Copied, not transferred: a sample may be a view into its dataset's file buffer.
      const { result } = await pool.submit('gptq.sample', { inputs });
      results.push(result);
      count++;
    }
    await Promise.all(results);
    const [first, ...rest] = (await pool.each('gptq.finish', null)) as Accumulators[][];
    for (const more of rest) addAccumulators(first!, more);
    return { accs: first!, count };
  } finally {
    await pool.close();
  }
}
