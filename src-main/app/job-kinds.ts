// The job-kind table: what each kind of job runs inside its worker thread. Engine modules are
// imported lazily so a worker loads only what its kind needs.
//
// To add a kind: 1) its params/progress/result types in api/contract.ts (JobKinds, JOB_KINDS),
// 2) its params schema in api/schemas.ts (jobParamSchemas; the jobs.start union follows from it),
// 3) one entry below calling the engine function or use case.
import type { JobKinds } from '../api/contract';
import type { JobRunners } from '../jobs/protocol';

export const jobKinds: JobRunners<JobKinds> = {
  async inspect(params, { progress }) {
    progress({ stage: 'open' });
    const { openModel } = await import('../formats/registry');
    const model = await openModel({ path: params.path, companions: params.companions }, { collectUnsupported: true });
    progress({ stage: 'summarize' });
    const { summarizeModel } = await import('../api/summary');
    return summarizeModel(params.path, model, params.companions);
  },
  async convert(params, { progress, signal }) {
    const { convertModel } = await import('../convert/pipeline');
    // Only the plain result crosses back; the in-memory graph and pass report stay here.
    const { model: _model, floatModel: _float, passes: _passes, ...result } = await convertModel(params, { onProgress: progress, signal });
    return result;
  },
  async 'project-convert'(params, { progress, signal }) {
    const { runProjectConvert } = await import('./convert-run');
    return runProjectConvert(params, progress, signal);
  },
  async 'project-bench'(params, { progress, signal }) {
    const { runProjectBench } = await import('./project-bench');
    const record = await runProjectBench(params, progress, signal);
    // Run pages offer "Deploy & benchmark on <this board>" next time.
    const { rememberLastBoard } = await import('../devices/last-board');
    rememberLastBoard(params.project, params.device);
    return record;
  },
  async 'project-debug'(params, { progress, signal }) {
    const { runProjectDebug } = await import('./debug-run');
    return runProjectDebug(params, progress, signal);
  },
  async 'project-search'(params, { progress, report, signal }) {
    const { runProjectSearch } = await import('./search-run');
    return runProjectSearch(params, progress, signal, report);
  },
};
