// The open / per-sample / finish pattern of work split across compute workers, in one place:
// every worker opens the job's state, each sample goes to the least busy worker, and every
// worker's finished state comes back for the caller to merge (exactly, when its statistics are
// order-free). Cancel (the signal) terminates the workers; a worker's crash fails the run with
// its cause (pool.ts). Used by calibration, the one-pass gptq statistics and the debugger's
// per-layer passes.
import { CancelledError } from '../errors';
import type { PoolOptions } from './pool';

export interface SplitTasks {
  /** Run once on every worker before the samples. */
  open: { task: string; payload: unknown };
  /** Run once per sample, on one worker. */
  sample: string;
  /** Run once on every worker after the samples; its results are returned. */
  finish: string;
}

export interface SplitOptions {
  workers: number;
  signal?: AbortSignal;
  /** The worker to start (tests substitute one). */
  entry?: PoolOptions['entry'];
  /** Called as each sample's task completes, with the count done so far. */
  onDone?: (done: number) => void;
}

export async function splitAcrossWorkers(tasks: SplitTasks, payloads: AsyncIterable<unknown> | Iterable<unknown>, options: SplitOptions): Promise<{ states: unknown[]; count: number; backends: string[] }> {
  const { ComputePool } = await import('./pool');
  const pool = await ComputePool.open(options.workers, { ...(options.signal ? { signal: options.signal } : {}), ...(options.entry ? { entry: options.entry } : {}) });
  try {
    await pool.each(tasks.open.task, tasks.open.payload);
    let done = 0;
    let count = 0;
    const results: Promise<unknown>[] = [];
    for await (const payload of payloads) {
      if (options.signal?.aborted) throw new CancelledError('Cancelled.');
      const { result } = await pool.submit(tasks.sample, payload);
      const counted = result.then(() => options.onDone?.(++done));
      counted.catch(() => undefined); // awaited below unless the loop stops first (cancel, crash)
      results.push(counted);
      count++;
    }
    await Promise.all(results);
    return { states: await pool.each(tasks.finish, null), count, backends: [...pool.backends] };
  } finally {
    await pool.close();
  }
}
