// A pool of compute worker threads, each with its own TF.js backend. Work is split by the
// caller into tasks (compute/tasks.ts names them); `run` sends one to a free worker, `each` runs
// one task on every worker (open / finish a job's state). A worker that dies fails every task
// in flight with its cause and the pool refuses new work; cancelling terminates the workers.
// Evaluation sends its tasks here directly (it wants every sample's result, in order); calibration,
// the gptq statistics and the debugger's per-layer passes go through split.ts.
import type { Worker } from 'node:worker_threads';
import { CancelledError, OperationError } from '../errors';
import { defaultComputeEntry, spawnComputeWorker, type ComputeEntry } from './entry';
import type { TaskMessage, WorkerReply } from './protocol';

export class ComputeWorkerError extends OperationError {
  override name = 'ComputeWorkerError';
}

interface Slot {
  worker: Worker;
  busy: number;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

export interface PoolOptions {
  entry?: ComputeEntry;
  signal?: AbortSignal;
  /** Tasks in flight per worker (2: the next sample is queued while one runs). */
  depth?: number;
}

export class ComputePool {
  readonly size: number;
  readonly backends: string[] = [];
  readonly #slots: Slot[];
  readonly #depth: number;
  readonly #waiting: (() => void)[] = [];
  #failure: Error | undefined;
  #nextId = 1;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #onAbort = (): void => this.#fail(new CancelledError('Cancelled.'));
  readonly #signal: AbortSignal | undefined;

  private constructor(slots: Slot[], options: PoolOptions) {
    this.#slots = slots;
    this.size = slots.length;
    this.#depth = options.depth ?? 2;
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Starts `size` workers and waits until each has its backend. */
  static async open(size: number, options: PoolOptions = {}): Promise<ComputePool> {
    const entry = options.entry ?? defaultComputeEntry();
    const slots: Slot[] = [];
    const ready: Promise<string>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = spawnComputeWorker(entry, { index: i });
      const slot: Slot = { worker, busy: 0, pending: new Map() };
      slots.push(slot);
      ready.push(
        new Promise<string>((resolve, reject) => {
          const onMessage = (m: WorkerReply): void => {
            if ('ready' in m) {
              worker.off('error', reject);
              resolve(m.backend);
            }
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new ComputeWorkerError(`Compute worker ${i} exited (code ${code}) while starting.`)));
        }),
      );
    }
    const pool = new ComputePool(slots, options);
    slots.forEach((slot, i) => pool.#wire(slot, i));
    try {
      pool.backends.push(...(await Promise.all(ready)));
    } catch (error) {
      await pool.close();
      throw error instanceof ComputeWorkerError ? error : new ComputeWorkerError(`Compute worker failed to start: ${(error as Error).message}`);
    }
    if (options.signal?.aborted) {
      await pool.close();
      throw new CancelledError('Cancelled.');
    }
    return pool;
  }

  #wire(slot: Slot, index: number): void {
    slot.worker.on('message', (m: WorkerReply) => {
      if ('ready' in m) return;
      const waiter = slot.pending.get(m.id);
      if (!waiter) return;
      slot.pending.delete(m.id);
      slot.busy--;
      this.#waiting.shift()?.();
      if (m.ok) waiter.resolve(m.result);
      else waiter.reject(new ComputeWorkerError(m.error.message));
    });
    slot.worker.on('error', (error) => this.#fail(new ComputeWorkerError(`Compute worker ${index} crashed: ${error.message}`)));
    slot.worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new ComputeWorkerError(`Compute worker ${index} exited unexpectedly (code ${code}).`));
    });
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const slot of this.#slots) {
      for (const waiter of slot.pending.values()) waiter.reject(error);
      slot.pending.clear();
    }
    for (const wake of this.#waiting.splice(0)) wake();
    void this.close();
  }

  #send(slot: Slot, task: string, payload: unknown, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, task, payload } satisfies TaskMessage, transfer);
    });
  }

  /**
   * Sends a task to the least busy worker once one has room (at most `depth` in flight each);
   * resolves when it is queued, with the promise of its result.
   */
  async submit(task: string, payload: unknown, transfer: ArrayBuffer[] = []): Promise<{ result: Promise<unknown> }> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const slot = this.#slots.reduce((a, b) => (b.busy < a.busy ? b : a));
      if (slot.busy < this.#depth) {
        const result = this.#send(slot, task, payload, transfer);
        result.catch(() => undefined); // surfaced by whoever awaits it, or by the next submit
        return { result };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** Runs `task` on every worker (e.g. open or finish a job's state), results in worker order. */
  each(task: string, payload: unknown): Promise<unknown[]> {
    return Promise.all(this.#slots.map((slot) => this.#send(slot, task, payload)));
  }

  /** Terminates the workers; every call (a failure's, the owner's) waits for the same termination. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#closing = Promise.all(this.#slots.map((slot) => slot.worker.terminate())).then(() => undefined);
    return this.#closing;
  }
}
