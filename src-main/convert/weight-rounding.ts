// Which weight rounding a conversion uses when the request does not say: nearest, for every
// mode. gptq is offered (CLI --weight-rounding gptq, the Quantize page) with its cost, not
// chosen silently: on MobileNetV2 224 with 100 images it takes ×4–5 of 100 float forward passes
// for int8 (one pass collects every layer's statistics) but ×15 or more for fp16, whose layers
// each need a pass of their own. One rule for the pipeline, the quantizer and the run history.
import type { QuantizeConfig, WeightRounding } from './types';

export function weightRoundingFor(config: Pick<QuantizeConfig, 'weightRounding'>): WeightRounding {
  return config.weightRounding ?? 'nearest';
}
