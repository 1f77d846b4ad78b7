// The measured cost of --weight-rounding gptq, in one place for the CLI help, the README and the
// Quantize page (the renderer may not import engine code, so this lives outside src-main).
// Measured 2026-12-03 18:00 UTC (load 4 on the shared 2-core machine) with `npm run bench --
// quantize-mobilenetv2`: MobileNetV2 224 (nsfwjs), 100 calibration images, one worker, wall time
// of the whole conversion relative to its int8 conversion with nearest rounding and no bias
// correction (5.5 s; int8 gptq 17.7 s, fp16 gptq 42.0 s; bias correction, the default since,
// makes that plain conversion itself about twice as long). The same bench re-run on a quiet machine updates these.
export const GPTQ_COST = {
  measured: '2026-12-03',
  /** int8 with gptq ÷ int8 with nearest rounding (both calibrate on the same samples). */
  int8: 3.2,
  /** fp16 with gptq (one pass per layer) ÷ int8 with nearest rounding. */
  fp16: 7.6,
} as const;

/** "int8 ×3.2, FP16 ×7.6 the time of plain int8 calibration" */
export function gptqCostText(): string {
  return `int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration`;
}
