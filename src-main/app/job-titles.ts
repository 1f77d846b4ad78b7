// What a job does, in the user's words, for the jobs list: "Quantize vww to int8" rather than
// the job kind's name.
import { basename, dirname, extname } from 'node:path';
import type { JobStartRequest } from '../api/contract';

/** A model's short name: the file name without extension, or its folder for generic names. */
export function modelName(path: string): string {
  const base = basename(path, extname(path));
  return ['model', 'saved_model', 'keras_metadata', ''].includes(base) ? basename(dirname(path)) || base : base;
}

const convertTitle = (model: string | undefined, mode: string | undefined) =>
  mode === undefined || model === undefined ? 'Convert a model' : mode === 'none' ? `Convert ${modelName(model)} to .tflite` : `Quantize ${modelName(model)} to ${mode}`;

type Loose<T> = { [K in keyof T]?: T[K] extends object ? Loose<T[K]> : T[K] };

/** The title of a job; params are read loosely (the manager also runs trusted, partial params). */
export function jobTitle(request: JobStartRequest): string {
  switch (request.kind) {
    case 'inspect': {
      const p = request.params as Loose<typeof request.params>;
      return p.path ? `Inspect ${modelName(p.path)}` : 'Inspect a model';
    }
    case 'convert': {
      const p = request.params as Loose<typeof request.params>;
      return convertTitle(p.model, p.quantize?.mode);
    }
    case 'project-convert': {
      const p = request.params as Loose<typeof request.params>;
      const title = convertTitle(p.request?.model, p.request?.quantize?.mode);
      return p.label ? `${title} (${p.label})` : title;
    }
    case 'project-bench': {
      const p = request.params as Loose<typeof request.params>;
      return `Benchmark run ${(p.runId ?? '').slice(-8)} on ${p.device === 'local' ? 'this computer' : (p.device ?? 'a board')}`;
    }
    case 'project-debug': {
      const p = request.params as Loose<typeof request.params>;
      return `Debug run ${(p.runId ?? '').slice(-8)} layer by layer`;
    }
    case 'project-search': {
      const p = request.params as Loose<typeof request.params>;
      return `Search ${p.model ? modelName(p.model) : 'a model'} for ${p.budget ?? 'a budget'}`;
    }
  }
}
