// One handler per contract channel, mapping requests to engine functions. Handlers receive
// validated payloads (dispatch.ts) and throw EdgeQuantError subclasses for failures.
//
// Extension point: add `'area.verb': async (request) => engineFunction(...)` to the object
// returned by createHandlers; the type requires one entry per channel of the contract.
import { APP_NAME, APP_VERSION } from '../version';
import type { ApiChannel, ApiRequest, ApiResponse, AppInfo } from './contract';
import type { JobManager } from '../jobs/manager';
import type { JobKinds } from './contract';
import { createProjectHandlers } from '../projects/api-handlers';
import { resolveUserPath } from '../projects/user-path';

export interface Services {
  host: AppInfo['host'];
  jobs: JobManager<JobKinds>;
  /** Name of the TF.js backend the engine uses, when known (injected: loading TF.js is slow). */
  tfjsBackend?: () => Promise<string | null>;
}

/** The backend the engine's TF.js picks here (loads TF.js once, ~0.3 s with wasm). */
async function engineTfjsBackend(): Promise<string | null> {
  const { initTfjs, tfjsBackendInfo } = await import('../graph/tfjs-backend');
  await initTfjs();
  return tfjsBackendInfo()?.backend ?? null;
}

export type Handlers = { [C in ApiChannel]: (request: ApiRequest<C>) => Promise<ApiResponse<C>> };

export function createHandlers(services: Services): Handlers {
  return {
    'app.info': async () => ({
      name: APP_NAME,
      version: APP_VERSION,
      host: services.host,
      versions: {
        node: process.versions.node,
        electron: process.versions.electron ?? null,
        chrome: process.versions.chrome ?? null,
        v8: process.versions.v8,
      },
      platform: process.platform,
      arch: process.arch,
      tfjsBackend: await (services.tfjsBackend ?? engineTfjsBackend)(),
    }),

    'models.inspect': async ({ path, companions }) => {
      const { openModel } = await import('../formats/registry');
      const { summarizeModel } = await import('./summary');
      const model = await openModel({ path, companions }, { collectUnsupported: true });
      return summarizeModel(path, model, companions);
    },

    'models.graph': async (request) => {
      const { openGraphView } = await import('../graph-view/open');
      return openGraphView(request);
    },

    'jobs.start': async (request) => ({ jobId: services.jobs.start(request) }),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: services.jobs.cancel(jobId) }),
    'jobs.list': async () => services.jobs.list(),
    'files.browse': async ({ dir, ...options }) => (await import('../data/browse')).browseFolder({ dir: resolveUserPath(dir), ...options }),
    ...createProjectHandlers(),
  };
}
