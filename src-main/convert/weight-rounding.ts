// Which weight rounding a conversion uses when the request does not say: nearest, for every
// mode. gptq is offered (CLI --weight-rounding gptq, the Quantize page) with its measured cost
// (src-common/gptq-cost.ts: int8 and FP16 relative to plain int8 calibration), not chosen
// silently: fp16 gptq needs a pass per layer, far from a fair default. One rule for the
// pipeline, the quantizer and the run history.
import type { QuantizeConfig, WeightRounding } from './types';

export function weightRoundingFor(config: Pick<QuantizeConfig, 'weightRounding'>): WeightRounding {
  return config.weightRounding ?? 'nearest';
}
