// Where the compute worker's code is and how to start it: the built out/main/compute-worker.js
// next to the main bundles, or worker.ts through tsx when running from source (tests, the CLI
// via tsx; Node 20 ignores `--import tsx` in a worker's execArgv, hence the bootstrap).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface ComputeEntry {
  file: string;
  fromSource: boolean;
}

export function defaultComputeEntry(base: string = import.meta.url): ComputeEntry {
  if (base.endsWith('.ts')) return { file: fileURLToPath(new URL('./worker.ts', base)), fromSource: true };
  for (const relative of ['./compute-worker.js', '../compute-worker.js']) {
    const file = fileURLToPath(new URL(relative, base));
    if (existsSync(file)) return { file, fromSource: false };
  }
  throw new Error(`The built compute worker (compute-worker.js) is missing next to ${fileURLToPath(base)}; run 'npm run build'.`);
}

export function spawnComputeWorker(entry: ComputeEntry, workerData: unknown): Worker {
  if (!entry.fromSource) return new Worker(entry.file, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = pathToFileURL(entry.file).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
