// `convert --detector-fix split|head-float|head-int16|none`: the model and recipe a fix gives.
// split rewrites the float graph (split.ts); head-float and head-int16 add node rules for the
// head's nodes (head.ts) ahead of the recipe's own rules, as --keep-float does.
import type { ModelGraph } from '../../graph/model-graph';
import { withNodeRules } from '../recipe';
import type { Recipe } from '../qtypes';
import { QuantizeInputError } from '../errors';
import type { DetectorHead } from './head';
import { splitConcatOutputs, type SplitResult } from './split';

export const DETECTOR_FIXES = ['split', 'head-float', 'head-int16', 'none'] as const;
export type DetectorFix = (typeof DETECTOR_FIXES)[number];

export interface AppliedFix {
  fix: DetectorFix;
  model: ModelGraph;
  recipe: Recipe;
  /** The split's new outputs and derived tensors (split only). */
  split?: SplitResult;
}

/** The fixes that apply to `head` (split needs a concatenated output), cheapest first. */
export function applicableFixes(head: DetectorHead): DetectorFix[] {
  return ['none', ...(head.concatOutputs.length ? (['split'] as const) : []), 'head-int16', 'head-float'];
}

export function applyDetectorFix(model: ModelGraph, head: DetectorHead | undefined, fix: DetectorFix, recipe: Recipe): AppliedFix {
  if (fix === 'none') return { fix, model, recipe };
  if (!head) throw new QuantizeInputError(`--detector-fix ${fix}: the model has no detector head this fix knows (no concatenated output, DFL head or outputs a decoder recognises); convert without --detector-fix.`);
  if (fix === 'split') {
    if (!head.concatOutputs.length) throw new QuantizeInputError('--detector-fix split: no graph output is a concatenation of channel groups (boxes next to scores); use head-float or head-int16.');
    const split = splitConcatOutputs(model, head);
    return { fix, model: split.model, recipe, split };
  }
  return { fix, model, recipe: withNodeRules(recipe, head.nodes, fix === 'head-float' ? 'float32' : 'int16x8') };
}
