// The real compute worker, crashing for real (an uncaught exception kills its thread) when its
// second debugger sample arrives: a run that already measured a sample and then loses a worker.
import { parentPort } from 'node:worker_threads';

let samples = 0;
parentPort!.on('message', (message: { task?: string }) => {
  if (message.task === 'debug.sample' && ++samples === 2) {
    setTimeout(() => {
      throw new Error('simulated crash in the debugger worker');
    }, 0);
  }
});
await import('../../src-main/compute/worker');
