// Which weight rounding a conversion uses when the request does not say: nearest, for every
// mode. gptq is offered (CLI --weight-rounding gptq, the Quantize page) with its measured cost
// (src-common/gptq-cost.ts: int8 and FP16 relative to plain int8 calibration), not chosen
// silently: fp16 gptq needs a pass per layer, far from a fair default. One rule for the
// pipeline, the quantizer and the run history.
import type { QuantizeConfig, WeightRounding } from './types';

export function weightRoundingFor(config: Pick<QuantizeConfig, 'weightRounding'>): WeightRounding {
  return config.weightRounding ?? 'nearest';
}

/**
 * Bias correction is on when the request does not say (int8 weights rounded to nearest), as NNCF's
 * post-training quantization does: measured with and without on held-out data (2026-12-03,
 * bench/bias-correction.bench.ts, README "Bias correction by default") it gained 2–9 dB SQNR on
 * vww / ad01 / MobileNetV2 int8 and int16x8, and cost nothing but resnet8 int8's top-1 (−1 point,
 * 2 of 200 images, in each runtime; SQNR +0.77 / −0.10 dB): within the two runtimes' own spread.
 */
export const BIAS_CORRECTION_BY_DEFAULT = true;

/**
 * Whether a conversion corrects biases (quantize/rounding/bias-correction.ts): as the request
 * says, else by default for int8 weights (dynamic, int8, int16x8) rounded to nearest. It runs only
 * where there are calibration samples (a default run without them simply does not).
 */
export function biasCorrectionFor(config: Pick<QuantizeConfig, 'mode' | 'weightRounding' | 'biasCorrection'>): boolean {
  if (config.biasCorrection !== undefined) return config.biasCorrection;
  return BIAS_CORRECTION_BY_DEFAULT && (config.mode === 'int8' || config.mode === 'int16x8' || config.mode === 'dynamic') && weightRoundingFor(config) === 'nearest';
}
