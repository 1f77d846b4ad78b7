// Requests whose work is heavy (folder walks, image decoding, hashing, model parsing) run in a
// worker thread, so the thread that answers requests never blocks: this table is what the job
// worker entry runs for them (jobs/off-thread.ts), and offThreadHandlers routes the channels to it.
import type { ApiRequest, ApiResponse } from '../api/contract';
import type { Handlers } from '../api/handlers';
import type { WorkerEntry } from '../jobs/entry';
import { OffThreadRunner } from '../jobs/off-thread';

type HeavyChannel = 'calibration.preview' | 'models.inspect' | 'models.graph' | 'projects.addModel' | 'projects.addCalibration';
type Task<C extends HeavyChannel> = (request: ApiRequest<C>) => Promise<ApiResponse<C>>;

export const offThreadTasks: { [C in HeavyChannel]: Task<C> } = {
  'calibration.preview': async ({ path, preprocess, shape }) => {
    const { previewCalibration } = await import('../projects/calibration-preview');
    return previewCalibration(path, preprocess, shape);
  },
  'models.inspect': async ({ path, companions }) => {
    const { openModel } = await import('../formats/registry');
    const { summarizeModel } = await import('../api/summary');
    const model = await openModel({ path, companions }, { collectUnsupported: true });
    return summarizeModel(path, model, companions);
  },
  'models.graph': async (request) => (await import('../graph-view/open')).openGraphView(request),
  'projects.addModel': async ({ dir, path, format }) => (await import('../projects/project')).addModel(dir, path, format),
  'projects.addCalibration': async ({ dir, path, preprocess }) => (await import('../projects/project')).addCalibrationSet(dir, path, preprocess),
};

export type OffThreadTasks = typeof offThreadTasks;

/** The heavy channels' handlers, each running its task in a worker thread from `entry`. */
export function offThreadHandlers(entry: WorkerEntry): Pick<Handlers, HeavyChannel> {
  const runner = new OffThreadRunner<OffThreadTasks>({ entry });
  return {
    'calibration.preview': (request) => runner.run('calibration.preview', request),
    'models.inspect': (request) => runner.run('models.inspect', request),
    'models.graph': (request) => runner.run('models.graph', request),
    'projects.addModel': (request) => runner.run('projects.addModel', request),
    'projects.addCalibration': (request) => runner.run('projects.addCalibration', request),
  };
}
