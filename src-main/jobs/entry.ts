// Where the job worker's code is: the TypeScript source under tsx (tests, `npm run dev` CLI)
// or the built out/main/job-worker.js next to the built main bundles.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

export function defaultWorkerEntry(base: string = import.meta.url): WorkerEntry {
  if (base.endsWith('.ts')) {
    // Running from source: the worker needs the tsx loader to read worker.ts.
    return { file: fileURLToPath(new URL('./worker.ts', base)), execArgv: ['--import', 'tsx'] };
  }
  // Built: this code sits in out/main/<entry>.js or out/main/chunks/<chunk>.js.
  for (const relative of ['./job-worker.js', '../job-worker.js']) {
    const file = fileURLToPath(new URL(relative, base));
    if (existsSync(file)) return { file, execArgv: [] };
  }
  throw new Error(`The built job worker (job-worker.js) is missing next to ${fileURLToPath(base)}; run 'npm run build'.`);
}
