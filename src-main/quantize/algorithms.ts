// The algorithm registry: what each recipe algorithm needs and does, as one frozen record keyed
// by the `Algorithm` enum. The quantizer runs the transformations of the algorithms a recipe's
// nodes use, in `order`; "needs calibration" and the I/O types a recipe allows are derived from
// here (requirements.ts) for the pipeline, the API schema, the CLI and the UI alike.
// Pure data: no graph code, so any layer may import it.
import type { ActivationType, Algorithm, IoType, Recipe } from './qtypes';

/** The transformation stage an algorithm applies (implemented in transformations/). */
export type TransformationId = 'static-integer' | 'dynamic-weights' | 'fp16-constants' | 'none';

export interface AlgorithmEntry {
  readonly algorithm: Algorithm;
  /** Activation ranges from calibration data are needed to plan its params. */
  readonly needsCalibration: boolean;
  /** How its parameters are planned: activation + weight params, weight params only, or none. */
  readonly plans: 'activations-and-weights' | 'weights' | 'none';
  readonly transformation: TransformationId;
  /** Run order: integer islands first (they place the boundaries), then weight-only storage. */
  readonly order: number;
}

export const ALGORITHM_REGISTRY: Readonly<Record<Algorithm, AlgorithmEntry>> = Object.freeze({
  static: Object.freeze({ algorithm: 'static', needsCalibration: true, plans: 'activations-and-weights', transformation: 'static-integer', order: 0 } as const),
  dynamic: Object.freeze({ algorithm: 'dynamic', needsCalibration: false, plans: 'weights', transformation: 'dynamic-weights', order: 1 } as const),
  fp16: Object.freeze({ algorithm: 'fp16', needsCalibration: false, plans: 'weights', transformation: 'fp16-constants', order: 2 } as const),
  float: Object.freeze({ algorithm: 'float', needsCalibration: false, plans: 'none', transformation: 'none', order: 3 } as const),
});

/** The registry entries of the algorithms the recipe's rules name, in run order. */
export function algorithmsOf(recipe: Pick<Recipe, 'rules'>): AlgorithmEntry[] {
  const used = new Set(recipe.rules.map((r) => r.algorithm));
  return [...used].map((a) => ALGORITHM_REGISTRY[a]).sort((a, b) => a.order - b.order);
}

/** I/O storage types an integer graph edge may take, per activation type. */
const INTEGER_IO: Readonly<Record<ActivationType, readonly IoType[]>> = Object.freeze({ int8: ['int8', 'uint8'], int16: ['int16'] });

export interface RecipeRequirements {
  needsCalibration: boolean;
  /** Allowed --input-type / --output-type values. */
  ioTypes: IoType[];
}

/** What a recipe asks of its caller: calibration data, and which I/O types it can give. */
export function recipeRequirements(recipe: Pick<Recipe, 'rules' | 'activations'>): RecipeRequirements {
  const entries = algorithmsOf(recipe);
  const integer = entries.some((e) => e.plans === 'activations-and-weights');
  return {
    needsCalibration: entries.some((e) => e.needsCalibration),
    ioTypes: ['float32', ...(integer ? INTEGER_IO[recipe.activations] : [])],
  };
}
