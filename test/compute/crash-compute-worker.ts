// A compute worker that crashes for real: it starts like the real one (says it is ready), then
// on its first task throws outside any try, killing its thread with an uncaught exception.
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({ ready: true, backend: 'none' });
parentPort!.on('message', () => {
  setTimeout(() => {
    throw new Error('simulated native crash in a compute task');
  }, 10);
});
