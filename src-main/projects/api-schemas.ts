// zod schemas for the project channels and job kinds (main side only).
import { z } from 'zod';
import type { ProjectApiRequests, ProjectJobKinds } from './api-contract';
import { deviceRequestSchemas } from './device-api';

const empty = z.object({}).strict() as unknown as z.ZodType<Record<string, never>>;
const path = z.string().min(1, 'path must not be empty').max(4096);
const runId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not a run id').max(200);
const shape = z.array(z.number().int().positive()).max(8);

export const projectRequestSchemas: { [C in keyof ProjectApiRequests]: z.ZodType<ProjectApiRequests[C]['request']> } = {
  'projects.recent': empty,
  'projects.create': z.object({ dir: path, name: z.string().max(200).optional() }).strict(),
  'projects.open': z.object({ dir: path }).strict(),
  'projects.forget': z.object({ dir: path }).strict(),
  'projects.demo': empty,
  'projects.runs': z.object({ dir: path }).strict(),
  'projects.run': z.object({ dir: path, id: runId }).strict(),
  'projects.artifact': z.object({ dir: path, id: runId, name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not an artifact name').max(200) }).strict(),
  'projects.addModel': z.object({ dir: path, path, format: z.string().max(100).optional() }).strict(),
  'projects.addCalibration': z.object({ dir: path, path, preprocess: z.string().max(4096).optional() }).strict(),
  'calibration.preview': z.object({ path, preprocess: z.string().max(4096), shape: shape.optional() }).strict(),
  ...deviceRequestSchemas,
  'projects.debugReport': z.object({ dir: path, id: runId }).strict(),
};

/** Job params; `request` is checked by the caller with the contract's convert schema. */
export function projectJobSchemas(convertRequest: z.ZodType<ProjectJobKinds['project-convert']['params']['request']>) {
  return {
    'project-convert': z
      .object({
        project: path,
        request: convertRequest,
        label: z.string().max(200).optional(),
        evaluateData: path.optional(),
        evaluateLabels: path.optional(),
        benchRuns: z.number().int().min(0).max(10_000).optional(),
        task: z.enum(['auto', 'classify', 'detect']).optional(),
        detect: z.object({ decoder: z.enum(['auto', 'yolov8', 'nanodet', 'ssd']).optional(), labels: path.optional(), classes: path.optional() }).strict().optional(),
      })
      .strict(),
    'project-bench': z
      .object({
        project: path,
        runId,
        device: z.string().min(1).max(100),
        runs: z.number().int().positive().max(10_000),
        warmup: z.number().int().min(0).max(1000).optional(),
      })
      .strict(),
    'project-debug': z.object({ project: path, runId, data: path.optional(), samples: z.number().int().positive().max(10_000).optional() }).strict(),
  } satisfies { [K in keyof ProjectJobKinds]: z.ZodType<ProjectJobKinds[K]['params']> };
}
