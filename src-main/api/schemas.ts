// Runtime validation of every request payload (main side only; the renderer never imports
// zod). The record is typed against the contract, so a schema that drifts from its request type
// does not compile.
import { z } from 'zod';
import { JOB_KINDS, type ApiChannel, type ApiRequest, type JobKind, type JobKinds, type JobStartRequest } from './contract';
import { projectJobSchemas, projectRequestSchemas } from '../projects/api-schemas';
import { requirementsFor } from '../quantize/recipe';
import { CANDIDATE_KINDS } from '../search/candidates';
import { DETECTOR_FIXES } from '../quantize/detector/apply';

const empty = z.object({}).strict();
const path = z.string().min(1, 'path must not be empty').max(4096);
const modelSource = z.object({ path, companions: z.array(path).max(16).optional() }).strict();

const ioType = z.enum(['float32', 'int8', 'uint8', 'int16']);
const convertRequest = z
  .object({
    model: path,
    companions: z.array(path).max(16).optional(),
    output: path,
    inputShape: z.array(z.number().int().positive()).max(8).optional(),
    unrollRnn: z.boolean().optional(),
    detectorFix: z.enum(DETECTOR_FIXES).optional(),
    quantize: z
      .object({
        mode: z.enum(['none', 'fp16', 'dynamic', 'int8', 'int16x8']),
        inputType: ioType,
        outputType: ioType,
        int8Only: z.boolean(),
        calibration: z
          .object({
            path,
            preprocess: z.string().max(4096).optional(),
            samples: z.number().int().positive().max(100_000),
            method: z.enum(['minmax', 'percentile', 'mse']),
            seed: z.number().int(),
            holdOut: z.number().gt(0).lt(1).optional(),
          })
          .strict()
          .optional(),
        recipe: path.optional(),
        keepFloat: z.array(z.string().min(1).max(1024)).max(1000).optional(),
        weightRounding: z.enum(['nearest', 'gptq']).optional(),
        biasCorrection: z.boolean().optional(),
      })
      .strict()
      // The I/O types the mode's preset allows (a recipe file is checked again when it is read).
      .refine((q) => [q.inputType, q.outputType].every((t) => requirementsFor(q.mode).ioTypes.includes(t)), {
        message: 'inputType/outputType are not available with this mode (int8: float32|int8|uint8; int16x8: float32|int16; others: float32)',
      }),
  })
  .strict();

/** One params schema per job kind. */
export const jobParamSchemas: { [K in JobKind]: z.ZodType<JobKinds[K]['params']> } = {
  inspect: modelSource,
  convert: convertRequest,
  ...projectJobSchemas(convertRequest),
  'project-search': z
    .object({
      project: path,
      model: path,
      calibration: z.object({ path, preprocess: z.string().max(4096).optional(), samples: z.number().int().positive().max(100_000).optional() }).strict(),
      data: path.optional(),
      labels: path.optional(),
      budget: z.string().min(1, 'budget must not be empty').max(500),
      kinds: z.array(z.enum(CANDIDATE_KINDS)).min(1, 'pick at least one candidate').max(CANDIDATE_KINDS.length).optional(),
      device: z.string().min(1).max(100).optional(),
      maxKeepFloat: z.number().int().positive().max(10_000).optional(),
      detectorFix: z.enum(DETECTOR_FIXES).optional(),
    })
    .strict(),
};

// { kind, params } for every kind, built from the table above (nothing to edit here for a new kind).
const jobStart = z.discriminatedUnion(
  'kind',
  JOB_KINDS.map((kind) => z.object({ kind: z.literal(kind), params: jobParamSchemas[kind] }).strict()) as unknown as [
    z.ZodObject<{ kind: z.ZodLiteral<JobKind>; params: z.ZodType }>,
  ],
) as unknown as z.ZodType<JobStartRequest>;

export const requestSchemas: { [C in ApiChannel]: z.ZodType<ApiRequest<C>> } = {
  'app.info': empty as z.ZodType<Record<string, never>>,
  'models.inspect': modelSource,
  'models.graph': modelSource.extend({ stage: z.enum(['source', 'converted']).optional() }).strict(),
  'jobs.start': jobStart,
  'jobs.cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'jobs.list': empty as z.ZodType<Record<string, never>>,
  'files.browse': z
    .object({
      dir: path,
      extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'an extension is letters and digits, without the dot')).max(20).optional(),
      foldersOnly: z.boolean().optional(),
      showHidden: z.boolean().optional(),
    })
    .strict(),
  ...projectRequestSchemas,
};
