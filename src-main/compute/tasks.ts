// The tasks a compute worker can run, by name: the one table that knows every engine area that
// splits work across workers (calibration's float pass, which the one-pass gptq statistics also
// run, evaluation, the debugger's per-layer passes).
import { calibrationTasks } from '../quantize/calibration/worker-tasks';
import { debugTasks } from '../debug/worker-tasks';
import { evaluationTasks } from '../evaluate/worker-tasks';

export type TaskHandler = (payload: unknown) => Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;

export const TASKS: Record<string, TaskHandler> = {
  ...calibrationTasks,
  ...evaluationTasks,
  ...debugTasks,
};
