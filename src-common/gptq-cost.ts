// The measured cost of --weight-rounding gptq, in one place for the CLI help, the README and the
// Quantize page (the renderer may not import engine code, so this lives outside src-main).
// Measured 2026-12-03 22:02 UTC (quiet 2-core machine, load 0.3) with `npm run bench --
// quantize-mobilenetv2`: MobileNetV2 224 (nsfwjs), 100 calibration images, one worker, wall time
// of the whole conversion relative to its default int8 conversion (nearest rounding with bias
// correction: 5.7 s; int8 gptq 11.0 s, fp16 gptq 28.1 s).
export const GPTQ_COST = {
  measured: '2026-12-03',
  /** int8 with gptq ÷ int8 with nearest rounding (both calibrate on the same samples). */
  int8: 1.9,
  /** fp16 with gptq (one pass per layer) ÷ int8 with nearest rounding. */
  fp16: 4.9,
} as const;

/** "int8 ×1.9, FP16 ×4.9 the time of plain int8 calibration" */
export function gptqCostText(): string {
  return `int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration`;
}
