// Which weight rounding a conversion uses when the request does not say: gptq for fp16 when
// calibration data is at hand (the data has no other use there), nearest otherwise. One rule
// for the pipeline, the quantizer and the run history.
import type { QuantizeConfig, WeightRounding } from './types';

export function weightRoundingFor(config: Pick<QuantizeConfig, 'mode' | 'weightRounding'>, hasData: boolean): WeightRounding {
  return config.weightRounding ?? (config.mode === 'fp16' && hasData ? 'gptq' : 'nearest');
}
