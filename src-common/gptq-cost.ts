// The measured cost of --weight-rounding gptq, in one place for the CLI help, the README and the
// Quantize page (the renderer may not import engine code, so this lives outside src-main).
// Measured 2026-12-03 on MobileNetV2 224 (nsfwjs) with 100 calibration images (crops of the
// litert_224 fixture photos), one worker: CPU time of the whole conversion relative to the same
// conversion to int8 with nearest rounding (7.0 s; int8 gptq 24.8 s, fp16 gptq 59.7 s), on the
// shared 2-core machine at load 12–17. `npm run bench -- quantize-mobilenetv2` gives the same
// conversions (its int8, int8 gptq and fp16 gptq lines) to re-measure on a quiet machine.
export const GPTQ_COST = {
  measured: '2026-12-03',
  /** int8 with gptq ÷ int8 with nearest rounding (both calibrate on the same samples). */
  int8: 3.5,
  /** fp16 with gptq (one pass per layer) ÷ int8 with nearest rounding. */
  fp16: 8.5,
} as const;

/** "int8 ×3.5, FP16 ×8.5 the time of plain int8 calibration" */
export function gptqCostText(): string {
  return `int8 ×${GPTQ_COST.int8}, FP16 ×${GPTQ_COST.fp16} the time of plain int8 calibration`;
}
