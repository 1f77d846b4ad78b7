// THE API contract between the UI and the main-side services. One map of requests (channel →
// request/response) and one of events, shared by the Electron main process, the preload, the
// renderer and the browser host. This file holds types and constant names only, so every layer
// may import it (the renderer with `import type`). Payloads are validated in main (schemas.ts).
//
// To add an endpoint: 1) add it to ApiRequests and API_CHANNELS below, 2) its zod schema in
// schemas.ts, 3) its handler in handlers.ts. The compiler reports any of the three missing.
import type { ErrorCode } from '../errors';
import type { ConvertRequest, ConvertResult, ConvertProgress } from '../convert/types';
import { PROJECT_API_CHANNELS, PROJECT_JOB_KINDS, type ProjectApiRequests, type ProjectJobKinds } from '../projects/api-contract';
import { SEARCH_JOB_KINDS, type SearchJobKinds } from '../search/api-contract';
import type { BrowseListing } from '../data/browse';
import type { JobDoneOf, JobInfoOf, JobProgressOf, JobStartOf, JobStatus } from '../jobs/protocol';
import type { GraphStage, GraphView } from '../graph-view/types';

// ---- shared payload shapes -------------------------------------------------------------------

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop window, 'browser' in the browser host. */
  host: 'electron' | 'browser';
  versions: { node: string; electron: string | null; chrome: string | null; v8: string };
  platform: string;
  arch: string;
  /** The TF.js backend the engine runs float models on ('wasm', 'tensorflow', 'cpu'), when loaded. */
  tfjsBackend: string | null;
}

export interface TensorSummary {
  name: string;
  dtype: string;
  shape: number[];
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number };
}

export interface ModelSummary {
  path: string;
  format: string;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  opHistogram: Record<string, number>;
  parameterCount: number;
  bytes: number;
  unsupported: string[];
  /** The layer table: one row per node in graph order (op, source layer, output shapes, parameters). */
  layers?: LayerRow[];
}

export interface LayerRow {
  name: string;
  op: string;
  source?: string;
  outputShapes: number[][];
  parameters: number;
}

// ---- jobs ------------------------------------------------------------------------------------

/** Job kinds: params, progress and result of each. Add a kind here and in app/job-kinds.ts. */
export interface JobKinds extends ProjectJobKinds, SearchJobKinds {
  inspect: { params: { path: string; companions?: string[] }; progress: { stage: string }; result: ModelSummary };
  convert: { params: ConvertRequest; progress: ConvertProgress; result: ConvertResult };
}
export type JobKind = keyof JobKinds;
export const JOB_KINDS = ['inspect', 'convert', ...PROJECT_JOB_KINDS, ...SEARCH_JOB_KINDS] as const satisfies readonly JobKind[];

export type JobStartRequest = JobStartOf<JobKinds>;
export type { JobStatus };
/** A job as jobs.list reports it; `progress` is the last report, typed by its kind. */
export type JobInfo = JobInfoOf<JobKinds>;

// ---- requests and events ---------------------------------------------------------------------

/** channel → request / response. Channels are "<area>.<verb>" so clients expose api.area.verb(). */
export interface ApiRequests extends ProjectApiRequests {
  'app.info': { request: Record<string, never>; response: AppInfo };
  'models.inspect': { request: { path: string; companions?: string[] }; response: ModelSummary };
  /** A model's graph for the Graph view and the layer table ('converted' by default; a .tflite as it is). */
  'models.graph': { request: { path: string; companions?: string[]; stage?: GraphStage }; response: GraphView };
  'jobs.start': { request: JobStartRequest; response: { jobId: string } };
  'jobs.cancel': { request: { jobId: string }; response: { cancelled: boolean } };
  'jobs.list': { request: Record<string, never>; response: JobInfo[] };
  /** One folder's entries for the file browser; `dir` may start with ~ or be relative (from home). */
  'files.browse': { request: { dir: string; extensions?: string[]; foldersOnly?: boolean; showHidden?: boolean }; response: BrowseListing };
}
export type ApiChannel = keyof ApiRequests;
export type ApiRequest<C extends ApiChannel> = ApiRequests[C]['request'];
export type ApiResponse<C extends ApiChannel> = ApiRequests[C]['response'];

export const API_CHANNELS = [
  'app.info',
  'models.inspect',
  'models.graph',
  'jobs.start',
  'jobs.cancel',
  'jobs.list',
  'files.browse',
  ...PROJECT_API_CHANNELS,
] as const satisfies readonly ApiChannel[];

// Compile-time check that API_CHANNELS lists every channel of ApiRequests.
type Missing = Exclude<ApiChannel, (typeof API_CHANNELS)[number]>;
const allChannelsListed: [Missing] extends [never] ? true : Missing = true;
void allChannelsListed;

/** event → payload, pushed from main to every window / socket. */
export interface ApiEvents {
  /** Progress and result payloads are typed by the job's kind (narrow on `kind`). */
  'job.progress': JobProgressOf<JobKinds>;
  'job.done': JobDoneOf<JobKinds>;
}
export type ApiEventName = keyof ApiEvents;
export const API_EVENTS = ['job.progress', 'job.done'] as const satisfies readonly ApiEventName[];

// ---- the envelope every response crosses in ---------------------------------------------------

export interface ApiErrorBody {
  code: ErrorCode | 'BAD_REQUEST' | 'UNKNOWN_CHANNEL' | 'FORBIDDEN';
  message: string;
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

// ---- the client shape: api.<area>.<verb>(request) ----------------------------------------------

type AreaOf<C extends string> = C extends `${infer A}.${string}` ? A : never;
type VerbOf<C extends string, A extends string> = C extends `${A}.${infer V}` ? V : never;
type CallArgs<C extends ApiChannel> = ApiRequest<C> extends Record<string, never> ? [request?: ApiRequest<C>] : [request: ApiRequest<C>];

/** Named functions grouped by area; R wraps the response (ApiResult in the preload, plain in the UI client). */
export type ApiFunctions<Wrap extends 'envelope' | 'plain'> = {
  [A in AreaOf<ApiChannel>]: {
    [V in VerbOf<ApiChannel, A>]: `${A}.${V}` extends infer C extends ApiChannel
      ? (...args: CallArgs<C>) => Promise<Wrap extends 'envelope' ? ApiResult<ApiResponse<C>> : ApiResponse<C>>
      : never;
  };
};

export type Unsubscribe = () => void;

/** What the preload exposes as `window.edgequant`. */
export type EdgeQuantBridge = ApiFunctions<'envelope'> & {
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): Unsubscribe;
  /**
   * Where a dropped or picked File is on disk (Electron's webUtils.getPathForFile); '' when it
   * has none. Sandboxed renderers cannot read File.path, so the preload answers for them.
   */
  pathForFile(file: File): string;
  /** Native open dialog (Electron only): the chosen path, or null when cancelled. */
  choosePath(request: DesktopChooseRequest): Promise<string | null>;
  /** Shows a file in the system's file manager (Electron only). */
  showInFolder(path: string): Promise<boolean>;
};

export interface DesktopChooseRequest {
  kind: 'file' | 'folder';
  title?: string;
  /** File extensions without the dot, e.g. ['tflite', 'h5']. */
  extensions?: string[];
}

/** IPC channels of the desktop-only bridge functions (not part of the browser host's API). */
export const DESKTOP_CHANNELS = { choose: 'edgequant:desktop.choose', showInFolder: 'edgequant:desktop.showInFolder' } as const;

/** The IPC channel name in Electron for a contract channel (prefixed so it never collides). */
export function ipcChannel(channel: ApiChannel): string {
  return `edgequant:${channel}`;
}
export const IPC_EVENT_CHANNEL = 'edgequant:event';
