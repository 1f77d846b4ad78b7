// Recipes are data (recipes/*.json): which ops or nodes, which algorithm, how weights are stored.
// This module checks them against a schema and answers "which rule applies to this node":
// node rules (by name / regex) first, then op rules, the first match of each kind winning.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Node } from '../graph/model-graph';
import { QuantizeInputError } from './errors';
import { recipeRequirements, type RecipeRequirements } from './algorithms';
import { parseSelector, type NodeSelector } from './node-selectors';
import { ALGORITHMS, PRECISIONS, QUANT_MODES, type Algorithm, type ActivationType, type Precision, type QuantizeConfig, type QuantizeMode, type QuantMode, type Recipe, type RecipeRule, type ResolvedRule } from './qtypes';
import fp16 from './recipes/fp16.json' with { type: 'json' };
import dynamic from './recipes/dynamic.json' with { type: 'json' };
import int8 from './recipes/int8.json' with { type: 'json' };
import int16x8 from './recipes/int16x8.json' with { type: 'json' };

/** What each user-facing precision means for the quantizer. */
export const PRECISION_RULES: Readonly<Record<Precision, { algorithm: Algorithm; activations?: ActivationType }>> = Object.freeze({
  float32: { algorithm: 'float' },
  fp16: { algorithm: 'fp16' },
  int16x8: { algorithm: 'static', activations: 'int16' },
  int8: { algorithm: 'static', activations: 'int8' },
});

const ruleSchema = z
  .object({
    ops: z.array(z.string().regex(/^(\*|[A-Z][A-Z0-9_]*)$/)).min(1).optional(),
    nodes: z.array(z.string().min(1)).min(1).optional(),
    algorithm: z.enum(ALGORITHMS).optional(),
    precision: z.enum(PRECISIONS).optional(),
    activations: z.enum(['int8', 'int16']).optional(),
    weights: z
      .object({ granularity: z.enum(['tensor', 'channel']), axis: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    minWeightElements: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((r) => (r.ops === undefined) !== (r.nodes === undefined), { message: 'a rule selects either "ops" (op types) or "nodes" (names or /regex/), not both or neither' })
  .refine((r) => (r.algorithm === undefined) !== (r.precision === undefined), { message: 'a rule gives either "algorithm" or "precision" (float32|fp16|int16x8|int8)' })
  .refine((r) => r.activations === undefined || r.algorithm === 'static', { message: '"activations" applies to "algorithm": "static" only' })
  .transform(({ precision, ...rest }) => (precision ? { ...rest, ...PRECISION_RULES[precision] } : rest) as RecipeRule);

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
  const recipe = Object.freeze(result.data as Recipe);
  for (const rule of recipe.rules) for (const text of rule.nodes ?? []) parseSelector(text, source);
  return recipe;
}

/** `recipe` with node rules giving `selectors` the precision `precision`, ahead of its own rules. */
export function withNodeRules(recipe: Recipe, selectors: readonly string[], precision: Precision): Recipe {
  if (!selectors.length) return recipe;
  const rule: RecipeRule = { nodes: [...selectors], ...PRECISION_RULES[precision] };
  return parseRecipe({ ...recipe, name: `${recipe.name}+${precision === 'float32' ? 'keep-float' : precision}`, rules: [rule, ...recipe.rules] }, `recipe '${recipe.name}'`);
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

const compiled = new WeakMap<Recipe, { rule: RecipeRule; selectors: NodeSelector[] }[]>();
function nodeRules(recipe: Recipe): { rule: RecipeRule; selectors: NodeSelector[] }[] {
  let list = compiled.get(recipe);
  if (!list) {
    list = recipe.rules.filter((r) => r.nodes).map((rule) => ({ rule, selectors: rule.nodes!.map((t) => parseSelector(t)) }));
    compiled.set(recipe, list);
  }
  return list;
}

/**
 * The rule for one node: the first node rule selecting it (by name or /regex/), else the first op
 * rule naming its op (or '*'); a node rule's missing weight settings come from that op rule.
 * No rule at all: the node stays float.
 */
export function ruleFor(recipe: Recipe, node: Pick<Node, 'name' | 'op' | 'outputs'>): ResolvedRule {
  const byOp = recipe.rules.find((r) => r.ops && (r.ops.includes(node.op) || r.ops.includes('*')));
  const byNode = nodeRules(recipe).find(({ selectors }) => selectors.some((s) => s.matches(node as Node)))?.rule;
  const rule = byNode ?? byOp;
  if (!rule) return { algorithm: 'float', activations: recipe.activations, by: 'none' };
  const weights = rule.weights ?? byOp?.weights;
  const minWeightElements = rule.minWeightElements ?? byOp?.minWeightElements;
  return {
    algorithm: rule.algorithm,
    activations: rule.activations ?? recipe.activations,
    by: byNode ? 'node' : 'op',
    ...(weights ? { weights } : {}),
    ...(minWeightElements !== undefined ? { minWeightElements } : {}),
  };
}

/** The recipe a request runs: its file's recipe (or the mode's preset) with `keepFloat` node rules. */
export function recipeFor(config: Pick<QuantizeConfig, 'mode' | 'keepFloat'>, fileRecipe?: Recipe): Recipe {
  if (config.mode === 'none') throw new QuantizeInputError('A recipe needs --quantize fp16|dynamic|int8|int16x8.');
  return withNodeRules(fileRecipe ?? presetRecipe(config.mode), config.keepFloat ?? [], 'float32');
}

/** Calibration need and I/O types of a request: from its recipe (none: float only). The one source for every caller. */
export function requirementsFor(mode: QuantizeMode, recipe?: Recipe): RecipeRequirements {
  if (mode === 'none') return { needsCalibration: false, ioTypes: ['float32'] };
  return recipeRequirements(recipe ?? presetRecipe(mode));
}

export function checkIoTypes(config: Pick<QuantizeConfig, 'mode' | 'inputType' | 'outputType'>, recipe?: Recipe): void {
  const { ioTypes } = requirementsFor(config.mode, recipe);
  for (const [flag, type] of [['--input-type', config.inputType], ['--output-type', config.outputType]] as const) {
    if (!ioTypes.includes(type)) throw new QuantizeInputError(`${flag} ${type} is not available with --quantize ${config.mode}${recipe && recipe.name !== config.mode ? ` (recipe '${recipe.name}')` : ''}; use ${ioTypes.join(' or ')}.`);
  }
}
