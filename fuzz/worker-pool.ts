// A few worker threads that run fuzz cases one at a time each. A case that outlives the timeout
// is a hang (the worker is terminated, a synchronous loop included); a worker that dies or
// throws outside the case's promise is a crash. Either way a fresh worker takes the next case.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaseReply, CaseRequest } from './importer-case';

export type Outcome = { kind: 'reply'; reply: CaseReply } | { kind: 'hang' | 'crash'; detail: string };

// Heap cap per worker: a case that needs more than this is a memory finding, not the fuzzer's death.
const WORKER_HEAP_MB = 2048;

function startWorker(module: URL): Worker {
  // Workers ignore `--import tsx` in Node 20, so the case module is loaded through tsx's API.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(module.pathname).href)}); });`;
  const worker = new Worker(source, { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, stdout: true, stderr: true });
  // What the libraries print (tfjs banners, warnings) would mix with the JSON lines: dropped.
  worker.stdout.resume();
  worker.stderr.resume();
  return worker;
}

class Slot {
  private worker: Worker | undefined;
  private nextId = 1;

  constructor(
    private readonly module: URL,
    private readonly timeoutMs: number,
  ) {}

  run(request: Omit<CaseRequest, 'id'>): Promise<Outcome> {
    const worker = (this.worker ??= startWorker(this.module));
    const id = this.nextId++;
    return new Promise((resolve) => {
      const finish = (outcome: Outcome, dead: boolean): void => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (dead) {
          void worker.terminate();
          this.worker = undefined;
        }
        resolve(outcome);
      };
      const onMessage = (reply: CaseReply) => reply.id === id && finish({ kind: 'reply', reply }, false);
      const onError = (error: Error) => finish({ kind: 'crash', detail: `${error.name}: ${error.message}` }, true);
      const onExit = (code: number) => finish({ kind: 'crash', detail: `worker exited with code ${code}` }, true);
      const timer = setTimeout(() => finish({ kind: 'hang', detail: `no answer in ${this.timeoutMs} ms` }, true), this.timeoutMs);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ ...request, id } satisfies CaseRequest);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

export class WorkerPool {
  private readonly slots: Slot[];

  constructor(module: URL, jobs: number, timeoutMs: number) {
    this.slots = Array.from({ length: Math.max(1, jobs) }, () => new Slot(module, timeoutMs));
  }

  /** Runs `body` for every item, at most one per worker at a time, in item order per worker. */
  async each<T>(items: T[], body: (item: T, run: (request: Omit<CaseRequest, 'id'>) => Promise<Outcome>) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      this.slots.map(async (slot) => {
        while (next < items.length) {
          const item = items[next++]!;
          await body(item, (request) => slot.run(request));
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
