// Messages between the compute pool (any thread: a job worker, the CLI) and its worker threads.
// A task names a handler in the worker's table (compute/tasks.ts) and carries structured-clone
// data; each worker keeps state between tasks of one job (an executor, accumulators).

export interface TaskMessage {
  id: number;
  task: string;
  payload: unknown;
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } }
  | { ready: true; backend: string };
