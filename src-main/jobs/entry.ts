// How to start a job worker thread: the built bundle as is, or, when running from source
// (tests, the CLI via tsx), the .ts entry loaded through tsx. Node 20 ignores `--import tsx`
// in a worker's execArgv, so the source worker starts from a two-line bootstrap that registers
// tsx and imports the entry. Which entry (and so which job table) is the application's choice.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface WorkerEntry {
  file: string;
  fromSource: boolean;
}

export function spawnJobWorker(entry: WorkerEntry, workerData: unknown): Worker {
  if (!entry.fromSource) return new Worker(entry.file, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = pathToFileURL(entry.file).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
