// Where the job worker's code is and how to start it: the built out/main/job-worker.js next to
// the built main bundles, or, when running from source (tests, the CLI via tsx), worker.ts
// loaded through tsx. Node 20 ignores `--import tsx` in a worker's execArgv, so the source
// worker starts from a two-line bootstrap that registers tsx and imports worker.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface WorkerEntry {
  file: string;
  fromSource: boolean;
}

export function defaultWorkerEntry(base: string = import.meta.url): WorkerEntry {
  if (base.endsWith('.ts')) return { file: fileURLToPath(new URL('./worker.ts', base)), fromSource: true };
  // Built: this code sits in out/main/<entry>.js or out/main/chunks/<chunk>.js.
  for (const relative of ['./job-worker.js', '../job-worker.js']) {
    const file = fileURLToPath(new URL(relative, base));
    if (existsSync(file)) return { file, fromSource: false };
  }
  throw new Error(`The built job worker (job-worker.js) is missing next to ${fileURLToPath(base)}; run 'npm run build'.`);
}

export function spawnJobWorker(entry: WorkerEntry, workerData: unknown): Worker {
  if (!entry.fromSource) return new Worker(entry.file, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = pathToFileURL(entry.file).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
