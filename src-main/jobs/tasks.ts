// Requests whose work is heavy (folder walks, image decoding, hashing, model parsing) run in a
// worker thread, so the thread that answers requests never blocks (off-thread.ts). Unlike jobs
// they answer the request directly and report no progress.
import type { ApiRequest, ApiResponse } from '../api/contract';

type Task<C extends 'calibration.preview' | 'models.inspect' | 'projects.addModel' | 'projects.addCalibration'> = (
  request: ApiRequest<C>,
) => Promise<ApiResponse<C>>;

export const offThreadTasks = {
  'calibration.preview': (async ({ path, preprocess, shape }) => {
    const { previewCalibration } = await import('../projects/calibration-preview');
    return previewCalibration(path, preprocess, shape);
  }) as Task<'calibration.preview'>,
  'models.inspect': (async ({ path, companions }) => {
    const { openModel } = await import('../formats/registry');
    const { summarizeModel } = await import('../api/summary');
    const model = await openModel({ path, companions }, { collectUnsupported: true });
    return summarizeModel(path, model, companions);
  }) as Task<'models.inspect'>,
  'projects.addModel': (async ({ dir, path, format }) => (await import('../projects/project')).addModel(dir, path, format)) as Task<'projects.addModel'>,
  'projects.addCalibration': (async ({ dir, path, preprocess }) =>
    (await import('../projects/project')).addCalibrationSet(dir, path, preprocess)) as Task<'projects.addCalibration'>,
};

export type OffThreadTask = keyof typeof offThreadTasks;

export function isOffThreadTask(kind: string): kind is OffThreadTask {
  return Object.hasOwn(offThreadTasks, kind);
}
