// The "Search" job of a project: the accuracy-budget search (search/) on a project model with the
// project's calibration data, every measured candidate recorded as a run of the project and
// reported as soon as it is measured, so the Studio draws it while the search goes on. Without
// held-out data, a share of the calibration data is kept out of calibration and judged on.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_HOLD_OUT } from './convert-run';
import type { ProjectSearchParams, ProjectSearchResult, SearchJobProgress } from '../search/api-contract';
import type { SearchDeps, SearchRequest } from '../search/index';

const inProject = (project: string, path: string) => (isAbsolute(path) ? path : resolve(project, path));

/** Calibration samples when the form does not say (the CLI's default). */
const DEFAULT_SAMPLES = 100;
const HOLD_OUT_SEED = 0;

/** Where the recommended file of this search goes: the project's search/ folder, one name per start. */
export function recommendedPath(project: string, now = new Date()): string {
  return join(project, 'search', `recommended-${now.toISOString().replace(/[:.]/g, '-')}.tflite`);
}

/** The engine's request for the job's params (paths resolved against the project folder). */
export function searchRequest(params: ProjectSearchParams, output: string): { request: SearchRequest; judgedOn: string } {
  const { project } = params;
  const calibrationPath = inProject(project, params.calibration.path);
  const preprocess = params.calibration.preprocess;
  const heldOut = params.data === undefined;
  const calibration = {
    path: calibrationPath,
    samples: params.calibration.samples ?? DEFAULT_SAMPLES,
    method: 'minmax' as const,
    seed: HOLD_OUT_SEED,
    ...(preprocess ? { preprocess } : {}),
    ...(heldOut ? { holdOut: DEFAULT_HOLD_OUT } : {}),
  };
  const data = heldOut ? calibrationPath : inProject(project, params.data!);
  const request: SearchRequest = {
    model: inProject(project, params.model),
    output,
    calibration,
    data,
    ...(heldOut ? { dataHoldOut: { fraction: DEFAULT_HOLD_OUT, seed: HOLD_OUT_SEED } } : {}),
    ...(preprocess ? { preprocess } : {}),
    ...(params.labels ? { labels: inProject(project, params.labels) } : {}),
    budget: params.budget,
    ...(params.kinds ? { kinds: params.kinds } : {}),
    ...(params.device ? { device: params.device } : {}),
    ...(params.maxKeepFloat ? { maxKeepFloat: params.maxKeepFloat } : {}),
    ...(params.detectorFix && params.detectorFix !== 'none' ? { detectorFix: params.detectorFix } : {}),
    project: resolve(project),
  };
  const judgedOn = heldOut ? `${Math.round(DEFAULT_HOLD_OUT * 100)}% of ${calibrationPath} held out of calibration` : data;
  return { request, judgedOn };
}

/** Latency on a board from the device list (none for 'local': the evaluation times it here). */
async function boardBenchmark(device: string | undefined, signal?: AbortSignal): Promise<SearchDeps> {
  if (!device || device === 'local') return {};
  const { DeviceService } = await import('../devices/index');
  const service = new DeviceService();
  return {
    benchmark: async (path) => {
      const result = await service.bench(device, path, { runs: 30, warmup: 5, ...(signal ? { signal } : {}) });
      return { latencyMs: result.latencyMs.p50, where: `${result.device} (${result.runtime.name})` };
    },
  };
}

/** `report` delivers a measured candidate even after a cancel (its run is already in the
 *  project, so the page must show it); it defaults to `progress`. */
export async function runProjectSearch(
  params: ProjectSearchParams,
  progress: (p: SearchJobProgress) => void,
  signal?: AbortSignal,
  report: (p: SearchJobProgress) => void = progress,
): Promise<ProjectSearchResult> {
  const output = recommendedPath(resolve(params.project));
  mkdirSync(join(resolve(params.project), 'search'), { recursive: true });
  const { request, judgedOn } = searchRequest(params, output);
  const { searchQuantization } = await import('../search/index');
  progress({ stage: 'converting the float model', done: 0, total: 0 });
  const runIds = new Map<string, string>();
  const result = await searchQuantization(request, {
    ...(signal ? { signal } : {}),
    deps: await boardBenchmark(params.device, signal),
    onProgress: (p) => progress({ stage: p.stage, done: p.done, total: p.total, ...(p.total ? { fraction: p.done / p.total } : {}), ...(p.etaMs !== undefined ? { etaMs: p.etaMs } : {}) }),
    onCandidate: (candidate) => {
      if (candidate.runId) runIds.set(candidate.id, candidate.runId);
      report({ stage: `measured ${candidate.label}`, candidate });
    },
  });
  const candidates = result.candidates.map(({ path: _path, ...c }) => ({ ...c, ...(runIds.has(c.id) ? { runId: runIds.get(c.id)! } : {}) }));
  return { ...result, candidates, judgedOn };
}
