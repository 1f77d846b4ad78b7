// Recipes are data (recipes/*.json): which ops, which algorithm, how weights are stored.
// This module checks them against a schema and answers "which rule applies to this node".
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { OpType } from '../graph/ops';
import { QuantizeInputError } from './errors';
import { ALGORITHMS, QUANT_MODES, type QuantMode, type Recipe, type RecipeRule } from './qtypes';
import fp16 from './recipes/fp16.json' with { type: 'json' };
import dynamic from './recipes/dynamic.json' with { type: 'json' };
import int8 from './recipes/int8.json' with { type: 'json' };
import int16x8 from './recipes/int16x8.json' with { type: 'json' };

const ruleSchema = z
  .object({
    ops: z.array(z.string().regex(/^(\*|[A-Z][A-Z0-9_]*)$/)).min(1),
    algorithm: z.enum(ALGORITHMS),
    weights: z
      .object({ granularity: z.enum(['tensor', 'channel']), axis: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    minWeightElements: z.number().int().min(0).optional(),
  })
  .strict();

export const recipeSchema = z
  .object({
    name: z.string().min(1),
    description: z.string(),
    mode: z.enum(QUANT_MODES),
    activations: z.enum(['int8', 'int16']),
    bias: z.enum(['int32', 'int64']),
    recordWeightRanges: z.boolean().optional(),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

export function parseRecipe(json: unknown, source = 'recipe'): Recipe {
  const result = recipeSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new QuantizeInputError(
      `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}; fix the recipe JSON (see src-main/quantize/recipes/).`,
    );
  }
  return Object.freeze(result.data as Recipe);
}

const PRESETS: Readonly<Record<QuantMode, Recipe>> = Object.freeze({
  fp16: parseRecipe(fp16, 'recipes/fp16.json'),
  dynamic: parseRecipe(dynamic, 'recipes/dynamic.json'),
  int8: parseRecipe(int8, 'recipes/int8.json'),
  int16x8: parseRecipe(int16x8, 'recipes/int16x8.json'),
});

export function presetRecipe(mode: QuantMode): Recipe {
  return PRESETS[mode];
}

export async function loadRecipeFile(path: string): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new QuantizeInputError(`Cannot read recipe ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new QuantizeInputError(`Recipe ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseRecipe(json, path);
}

/** The first rule naming this op (or '*'); undefined means the op stays float. */
export function ruleFor(recipe: Recipe, op: OpType): RecipeRule | undefined {
  return recipe.rules.find((r) => r.ops.includes(op) || r.ops.includes('*'));
}
