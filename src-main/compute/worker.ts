// A compute worker thread: initialises its own TF.js backend, says which, then runs the tasks
// the pool sends, one at a time, from the handler table in tasks.ts.
import { parentPort } from 'node:worker_threads';
import { computeBackend, initTfjs } from '../graph/tfjs-backend';
import type { TaskMessage, WorkerReply } from './protocol';
import { TASKS } from './tasks';

const port = parentPort!;
await initTfjs();
let queue = Promise.resolve();
port.on('message', (message: TaskMessage) => {
  queue = queue.then(async () => {
    const handler = TASKS[message.task];
    try {
      if (!handler) throw new Error(`Unknown compute task '${message.task}'.`);
      const { result, transfer } = await handler(message.payload);
      port.postMessage({ id: message.id, ok: true, result } satisfies WorkerReply, transfer ?? []);
    } catch (error) {
      const e = error as Error;
      port.postMessage({ id: message.id, ok: false, error: { name: e.name, message: e.message } } satisfies WorkerReply);
    }
  });
});
port.postMessage({ ready: true, backend: computeBackend().backend } satisfies WorkerReply);
