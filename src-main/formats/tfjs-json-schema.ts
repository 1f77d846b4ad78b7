// What a TF.js model.json must hold, checked once where the file is read (layers and graph
// models share the weights manifest): a field of the wrong type or a bad shape becomes one typed
// line naming the file and the field instead of a TypeError deep in the importer.
import { z } from 'zod';
import type { EdgeQuantError } from '../errors';

const dim = z.number().int().nonnegative();
// The dtypes TF.js writes in a manifest (tfjs io DataType) and its weight quantization dtypes.
const dtype = z.enum(['float32', 'int32', 'bool', 'string', 'complex64']);
const quantization = z.object({ dtype: z.enum(['uint8', 'uint16', 'float16']), min: z.number().optional(), scale: z.number().optional(), original_dtype: z.string().optional() });
export const manifestSchema = z.array(
  z.object({
    paths: z.array(z.string()),
    weights: z.array(z.object({ name: z.string(), shape: z.array(dim), dtype, quantization: quantization.optional() }).loose()),
  }),
);

const shape = z.object({ dim: z.array(z.object({ size: z.union([z.string(), z.number()]).optional() }).loose()).optional(), unknownRank: z.boolean().optional() }).loose();
const attr = z
  .object({
    s: z.string().optional(),
    i: z.union([z.string(), z.number()]).optional(),
    f: z.number().optional(),
    b: z.boolean().optional(),
    type: z.string().optional(),
    shape: shape.optional(),
    tensor: z.object({ dtype: z.string().optional(), tensorShape: shape.optional() }).loose().optional(),
    list: z
      .object({
        s: z.array(z.string()).optional(),
        i: z.array(z.union([z.string(), z.number()])).optional(),
        f: z.array(z.number()).optional(),
        b: z.array(z.boolean()).optional(),
        type: z.array(z.string()).optional(),
        shape: z.array(shape).optional(),
      })
      .loose()
      .optional(),
    func: z.object({ name: z.string().optional() }).loose().optional(),
  })
  .loose();
const node = z.object({ name: z.string(), op: z.string(), input: z.array(z.string()).optional(), attr: z.record(z.string(), attr).optional() }).loose();
const signatureEntry = z.object({ name: z.string(), dtype: z.string().optional(), tensorShape: shape.optional() }).loose();
const signature = z.object({ inputs: z.record(z.string(), signatureEntry).optional(), outputs: z.record(z.string(), signatureEntry).optional() }).loose();

export const graphModelSchema = z
  .object({
    format: z.string().optional(),
    modelTopology: z.object({ node: z.array(node).optional() }).loose().optional(),
    signature: signature.optional(),
    userDefinedMetadata: z.object({ signature: signature.optional() }).loose().optional(),
    weightsManifest: manifestSchema.optional(),
    convertedBy: z.string().nullable().optional(),
    generatedBy: z.string().nullable().optional(),
  })
  .loose();

export const layersModelSchema = z
  .object({
    format: z.string().optional(),
    modelTopology: z.record(z.string(), z.unknown()).optional(),
    weightsManifest: manifestSchema.optional(),
    generatedBy: z.string().nullable().optional(),
    convertedBy: z.string().nullable().optional(),
  })
  .loose();

/** `value` checked against `schema`, or one typed line naming the first wrong field. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, label: string, ErrorType: new (message: string) => EdgeQuantError): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)';
  throw new ErrorType(`${label}: field '${path.slice(0, 120)}' is wrong (${issue.message.slice(0, 100)}); the model.json is damaged, export it again.`);
}
